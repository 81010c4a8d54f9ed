/**
 * Start-up as an operator sees it: the real app against the local fakes (or against nothing at all),
 * and the line it says when something is wrong. A token Slack refused is named; an unreachable Slack
 * or Telegram is a network problem at a named URL, reported within seconds and never as a bad token;
 * a busy port fails first, before Slack or Telegram were contacted; /healthz says `starting` while
 * Slack connects, and webhooks that arrive meanwhile are kept and handled once the worker runs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, request, type IncomingMessage, type Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type ThreadlineApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { StartupError } from '../../src/errors.ts';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-api.ts';
import { startFakeTelegramApi, type FakeTelegramApi } from '../fakes/telegram-api.ts';
import { APP_TOKEN, BOT_TOKEN, DEFAULT_CHANNEL, SIGNING_SECRET, TELEGRAM_TOKEN, WEBHOOK_SECRET, eventually } from './harness.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A port nothing listens on (bound once, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Occupies a port, as another process would. */
async function busyPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as AddressInfo).port;
}

async function fakeSlack(): Promise<FakeSlack> {
  const slack = await startFakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
  cleanups.push(() => slack.close());
  return slack;
}

async function fakeTelegram(): Promise<FakeTelegramApi> {
  const telegram = await startFakeTelegramApi({ token: TELEGRAM_TOKEN });
  cleanups.push(() => telegram.close());
  return telegram;
}

interface Built {
  readonly app: ThreadlineApp;
  readonly logs: string[];
  /** The log lines' messages. */
  messages(): string[];
}

/** Builds the app from these settings (Slack in HTTP mode unless SLACK_APP_TOKEN is given) with production retries. */
async function build(env: Record<string, string>): Promise<Built> {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-startup-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = loadConfig(
    {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      PORT: '0',
      DATA_DIR: dataDir,
      DEFAULT_CHANNEL,
      LANGUAGE_DATABASE: 'extrasmall',
      LOG_FORMAT: 'json',
      ...(env.SLACK_APP_TOKEN ? {} : { SLACK_SIGNING_SECRET: SIGNING_SECRET }),
      ...env,
    },
    { envFile: join(dataDir, 'no-such.env') },
  );
  const logs: string[] = [];
  const logDestination = new Writable({
    write(chunk, _encoding, done) {
      logs.push(
        ...String(chunk)
          .split('\n')
          .filter((line) => line.trim() !== ''),
      );
      done();
    },
  });
  const app = await createApp(config, { logDestination, worker: { idleMs: 10, leaseMs: 5000 }, socketPingTimeoutMs: 200 });
  cleanups.push(() => app.stop());
  return { app, logs, messages: () => logs.map((line) => (JSON.parse(line) as { msg: string }).msg) };
}

/** start() must reject: returns the error and how long it took. */
async function failedStart(app: ThreadlineApp): Promise<{ error: Error; ms: number }> {
  const started = Date.now();
  const error = await app.start().then(
    () => {
      throw new Error('start() resolved');
    },
    (e: unknown) => e as Error,
  );
  return { error, ms: Date.now() - started };
}

describe('Slack at start-up', () => {
  it('unreachable: names the URL, says it is a network problem, not the token, within a few seconds', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/api/`;
    const { app, messages } = await build({ SLACK_API_URL: url });
    const { error, ms } = await failedStart(app);
    expect(error).toBeInstanceOf(StartupError);
    expect(error.message).toBe(
      `could not reach Slack at ${url}: ECONNREFUSED — a network problem (proxy, DNS, firewall), not a bad token; check SLACK_API_URL and this host's network`,
    );
    expect(error.message).not.toMatch(/refused SLACK_BOT_TOKEN/);
    expect(ms).toBeLessThan(5000);
    // Each retry is said, with the URL; none of it blames the token.
    const retries = messages().filter((m) => m.includes('trying again'));
    expect(retries).toHaveLength(2);
    for (const line of retries) expect(line).toContain(`could not reach Slack at ${url}: ECONNREFUSED`);
    expect(messages().join('\n')).not.toMatch(/refused|http request failed fetch failed$/m);
  });

  it('refuses the bot token: says SLACK_BOT_TOKEN was refused, at once, without retrying', async () => {
    const slack = await fakeSlack();
    const { app } = await build({ SLACK_API_URL: slack.apiUrl, SLACK_BOT_TOKEN: 'xoxb-9999-revoked-token' });
    const { error } = await failedStart(app);
    expect(error.message).toMatch(/^Slack refused SLACK_BOT_TOKEN \(invalid_auth\): set it to the Bot User OAuth Token \(xoxb-…\)/);
    expect(error.message).not.toContain('xoxb-9999');
    expect(slack.calls.filter((call) => call.method === 'auth.test')).toHaveLength(1);
  });

  it('refuses the app token in Socket Mode: says SLACK_APP_TOKEN, not the bot token', async () => {
    const slack = await fakeSlack();
    const { app } = await build({ SLACK_API_URL: slack.apiUrl, SLACK_APP_TOKEN: 'xapp-1-A0OTHER-9999-wrong' });
    const { error } = await failedStart(app);
    expect(error.message).toMatch(/^Slack refused SLACK_APP_TOKEN \(invalid_auth\): .*xapp-.*connections:write/);
  });

  it('unreachable, as the operator sees it: one line on stderr and exit code 1', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/api/`;
    const dataDir = mkdtempSync(join(tmpdir(), 'threadline-startup-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const port = await closedPort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: PROJECT_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: url,
        DEFAULT_CHANNEL,
        PORT: String(port),
        DATA_DIR: dataDir,
        LANGUAGE_DATABASE: 'extrasmall',
        LOG_FORMAT: 'json',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(() => child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toBe(
      `Threadline could not start: could not reach Slack at ${url}: ECONNREFUSED — a network problem (proxy, DNS, firewall), not a bad token; check SLACK_API_URL and this host's network\n`,
    );
  }, 30_000);
});

describe('the port at start-up', () => {
  it('busy: start() rejects with the port message before Slack or Telegram was contacted', async () => {
    const port = await busyPort();
    const slack = await fakeSlack();
    const telegram = await fakeTelegram();
    const { app, messages } = await build({
      SLACK_API_URL: slack.apiUrl,
      PORT: String(port),
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      TELEGRAM_API_ROOT: telegram.apiRoot,
    });
    const { error } = await failedStart(app);
    expect(error).toBeInstanceOf(StartupError);
    expect(error.message).toBe(`port ${port} is already in use: set PORT to a free port or stop the other process`);
    expect(slack.calls).toHaveLength(0);
    expect(telegram.calls).toHaveLength(0);
    expect(messages()).toEqual([]);
    await app.stop();
    expect(messages()).toEqual([]);
  });

  it('is released by stop() after a start() that failed midway, and so is the store', async () => {
    const slack = await fakeSlack();
    const { app } = await build({ SLACK_API_URL: slack.apiUrl, SLACK_BOT_TOKEN: 'xoxb-9999-revoked-token' });
    await failedStart(app);
    const { port } = app.server.address() as AddressInfo;
    await app.stop();
    const again = createServer();
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.listen(port, resolve);
    });
    await new Promise((resolve) => again.close(resolve));
    await expect(app.store.ping()).rejects.toThrow();
  });
});

/** A pass-through to the Slack fake that holds auth.test until `open()`: a Slack that is slow to answer. */
async function slowSlack(slack: FakeSlack): Promise<{ apiUrl: string; open(): void }> {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const target = new URL(slack.apiUrl);
  const server: Server = createHttpServer((req, res) => {
    const forward = () =>
      req.pipe(
        request(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
          (answer: IncomingMessage) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        ),
      );
    if (req.url?.endsWith('/auth.test')) void gate.then(forward);
    else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  );
  return { apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`, open: () => open() };
}

describe('while Slack connects', () => {
  it('/healthz says starting, a Telegram webhook is kept, and handled once Slack is connected', async () => {
    const slack = await fakeSlack();
    const slow = await slowSlack(slack);
    const telegram = await fakeTelegram();
    const { app, messages } = await build({
      SLACK_API_URL: slow.apiUrl,
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    });
    const starting = app.start();
    const address = await eventually(() => app.server.listening && (app.server.address() as AddressInfo));
    const base = `http://127.0.0.1:${address.port}`;
    await eventually(() => messages().includes('listening; connecting to Slack'));

    const early = await fetch(`${base}/healthz`);
    expect(early.status).toBe(503);
    expect(await early.json()).toMatchObject({ ok: false, status: 'starting' });

    const update = {
      update_id: 424242,
      message: {
        message_id: 1,
        date: Math.floor(Date.now() / 1000),
        chat: { id: 5001, type: 'private', first_name: 'Ann' },
        from: { id: 5001, is_bot: false, first_name: 'Ann', language_code: 'en' },
        text: 'Hello, is anyone there? I wrote while you were starting.',
      },
    };
    const webhook = await fetch(`${base}/webhooks/telegram`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
      body: JSON.stringify(update),
    });
    expect(webhook.status).toBe(200);
    expect(await app.store.journal.size()).toBeGreaterThan(0);
    expect(slack.calls.filter((call) => call.method === 'chat.postMessage')).toHaveLength(0);

    slow.open();
    expect(await starting).toBe(address.port);
    const ready = await fetch(`${base}/healthz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ok: true, status: 'ok', platforms: { telegram: 'live' } });
    await eventually(() =>
      slack.messages(DEFAULT_CHANNEL).some((m) => m.text === 'Hello, is anyone there? I wrote while you were starting.'),
    );
  });
});

describe('Telegram at start-up', () => {
  it("unreachable: the log line names TELEGRAM_API_ROOT's URL and a network problem, never the token; the rest runs", async () => {
    const slack = await fakeSlack();
    const root = `http://127.0.0.1:${await closedPort()}`;
    const { app, logs, messages } = await build({
      SLACK_API_URL: slack.apiUrl,
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      TELEGRAM_API_ROOT: root,
    });
    const port = await app.start();
    const line = messages().find((m) => m.startsWith('telegram channel did not start'));
    expect(line).toBe(
      `telegram channel did not start: could not reach Telegram at ${root}/: ECONNREFUSED — a network problem (proxy, DNS, firewall), not a bad token; check TELEGRAM_API_ROOT and this host's network; trying again in 5 s`,
    );
    expect(logs.join('\n')).not.toContain(TELEGRAM_TOKEN);
    expect(logs.join('\n')).not.toContain(TELEGRAM_TOKEN.split(':')[1]);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ ok: false, status: 'degraded', platforms: { telegram: 'failed' } });
  });

  it('token rejected (401 from getMe): names TELEGRAM_BOT_TOKEN', async () => {
    const slack = await fakeSlack();
    const telegram = await fakeTelegram();
    const wrong = '1234567:AAWrongTokenForThreadlineTests_y';
    const { app, logs, messages } = await build({
      SLACK_API_URL: slack.apiUrl,
      TELEGRAM_BOT_TOKEN: wrong,
      TELEGRAM_API_ROOT: telegram.apiRoot,
    });
    await app.start();
    const line = messages().find((m) => m.startsWith('telegram channel did not start'));
    expect(line).toMatch(
      /^telegram channel did not start: Telegram rejected the bot token: set TELEGRAM_BOT_TOKEN to the token from @BotFather \(401: Unauthorized/,
    );
    expect(line).not.toMatch(/network/);
    expect(logs.join('\n')).not.toContain(wrong);
  });
});
