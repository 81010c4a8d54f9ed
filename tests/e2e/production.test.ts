/**
 * The production start, as the Docker image runs it and as `npm start` runs it. There is no Docker
 * engine in the test run, so the Dockerfile's own build steps are run on this machine (see
 * service-process.ts): `npm ci`, `npm run build`, `npm prune --omit=dev` in a copy of the
 * project, then the runtime stage's /app holds only what that stage copies. The service then runs
 * from there with the image's CMD, against the local Slack and Telegram fakes (Telegram in webhook
 * mode, Slack in HTTP mode) on the embedded store in a temporary DATA_DIR.
 *
 * What an operator relies on: SIGTERM (what `docker stop` and supervisors send) stops it within
 * seconds, with exit code 0, `threadline stopped` in the log and the port released, and nothing it
 * acknowledged is lost: after a restart on the same data every acknowledged message reaches Slack
 * exactly once. The same holds when the signal goes to the `npm start` process.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Update } from 'grammy/types';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite-store.ts';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-api.ts';
import { shownMessages } from '../fakes/slack-state.ts';
import { runProcess } from '../support/run-process.ts';
import { startFakeTelegramApi, type FakeTelegramApi } from '../fakes/telegram-api.ts';
import { BOT_TOKEN, DEFAULT_CHANNEL, SIGNING_SECRET, TELEGRAM_TOKEN, WEBHOOK_SECRET, eventually } from './harness.ts';
import {
  baseEnv,
  buildLikeDocker,
  canListenOn,
  freePort,
  logEntries,
  processExists,
  send,
  startService,
  type LocalImage,
  type ServiceProcess,
} from './service-process.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** "Within a few seconds" (a paced backlog stops in about 2.5 s here); Docker's grace period before SIGKILL is 10 s. */
const STOP_WITHIN_MS = 5000;
const CUSTOMERS = ['Ines', 'Jonas', 'Kemal'] as const;
const MESSAGES_PER_CUSTOMER = 4;

const output: string[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
let image: LocalImage;

beforeAll(async () => {
  image = await buildLikeDocker(PROJECT_ROOT, (line) => output.push(line));
}, 300_000);
// Deleting the image's copy of node_modules takes longer than the default hook timeout on a busy machine.
afterAll(async () => {
  if (image) await rm(image.root, { recursive: true, force: true });
}, 120_000);
beforeEach(() => {
  output.length = 0;
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the production start', () => {
  it("runs the Dockerfile's build steps; the runtime /app holds the build and no development-only package", () => {
    expect(image.buildCommands).toEqual([
      'npm ci --ignore-scripts --no-audit --no-fund',
      'npm run build',
      'npm prune --omit=dev --no-audit --no-fund',
    ]);
    expect(image.cmd).toEqual(['node', 'dist/src/main.js']);
    expect(existsSync(join(image.appDir, 'dist', 'src', 'main.js'))).toBe(true);
    // threadline doctor reads the manifest beside package.json to compare the token's scopes.
    expect(existsSync(join(image.appDir, 'manifest.yml'))).toBe(true);
    expect(existsSync(join(image.appDir, 'node_modules', 'better-sqlite3'))).toBe(true);
    // What the lockfile marks "dev" (typescript, tsx, vitest and what only they need) is gone.
    const lock = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const devOnly = Object.entries(lock.packages)
      .filter(([where, entry]) => where !== '' && entry.dev)
      .map(([where]) => where);
    expect(devOnly).toContain('node_modules/typescript');
    expect(devOnly).toContain('node_modules/tsx');
    expect(devOnly.filter((where) => existsSync(join(image.appDir, where)))).toEqual([]);
  });

  it("the image's `threadline detect` runs the built code: one routing tag per line on standard output, errors on standard error", async () => {
    const cli = join('dist', 'src', 'cli.js');
    // As `docker run -i` would: the image's own files, its command, texts on standard input.
    const detect = (args: readonly string[], input: string) =>
      runProcess('node', [cli, 'detect', ...args], { cwd: image.appDir, env: baseEnv(), input });
    const answered = await detect([], 'Hei, hvor er pakken min? Takk\n배송이 언제 되나요?\nhello\n');
    expect(answered).toMatchObject({ code: 0, stdout: 'nb\nko\nunsure\n' });
    const refused = await detect(['--routed', 'klingon'], 'hello\n');
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/klingon/);
  });

  it("the image's CMD: SIGTERM stops it within seconds, cleanly, port released; after a restart every acknowledged message reaches Slack exactly once", async ({
    onTestFailed,
  }) => {
    onTestFailed(() => console.error(`--- output (last 200 lines) ---\n${output.slice(-200).join('\n')}`));
    const world = await startWorld();
    // As shipped: Slack's pace of about one post per second per channel, so a backlog is still
    // waiting when the signal comes.
    const env = serviceEnv(world, {});
    const [command, ...args] = image.cmd;
    expect(command).toBe('node');

    const first = await start(process.execPath, args, env, world.port, 'run 1');
    expect(await healthcheck(world.port)).toBe(0);
    const acknowledged = await deliverAll(world.port);

    const { ms, how } = await stopWith(first, 'SIGTERM');
    expect(how).toEqual({ code: 0, signal: null });
    expect(ms).toBeLessThan(STOP_WITHIN_MS);
    expect(logEntries(first.output).map((entry) => entry.msg)).toContain('threadline stopped');
    expect(await canListenOn(world.port)).toBe(true);
    expect(await healthcheck(world.port)).not.toBe(0);
    // The stop came before the backlog was drained: the restart has work to finish.
    const left = await journalSize(world.dataDir);
    expect(left).toBeGreaterThan(0);

    // The restart drains unpaced, so the test does not wait on the pace.
    const second = await start(process.execPath, args, { ...env, SLACK_POSTS_PER_SECOND: '1000' }, world.port, 'run 2');
    await eventually(() => acknowledged.every((text) => postedTexts(world.slack).includes(text)), 30_000);
    expect((await stopWith(second, 'SIGTERM')).how).toEqual({ code: 0, signal: null });
    expect(await journalSize(world.dataDir)).toBe(0);
    for (const text of acknowledged)
      expect(
        postedTexts(world.slack).filter((posted) => posted === text),
        text,
      ).toHaveLength(1);
  }, 90_000);

  it("SIGTERM while Slack keeps failing: it exits anyway before Docker's SIGKILL, and the message reaches Slack once after a restart", async ({
    onTestFailed,
  }) => {
    onTestFailed(() => console.error(`--- output (last 200 lines) ---\n${output.slice(-200).join('\n')}`));
    const world = await startWorld();
    const env = serviceEnv(world, { SLACK_POSTS_PER_SECOND: '1000' });
    const [, ...args] = image.cmd;
    const first = await start(process.execPath, args, env, world.port, 'run 1');
    // Slack answers 500 four times: the Web API client's retries (after 1, 2, 4 and 8 s or up to twice
    // that) keep the job running past the deadline, and the fifth try, after a restart or not, succeeds.
    for (let i = 0; i < 4; i++) world.slack.failNext('chat.postMessage', { status: 500 });
    const [update] = updatesOf('Lena', 9).slice(0, 1);
    expect(
      (await send(world.port, 'POST', '/webhooks/telegram', JSON.stringify(update), { 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET }))
        .status,
    ).toBe(200);
    await world.slack.waitFor('chat.postMessage', 1, 10_000);

    const { ms, how } = await stopWith(first, 'SIGTERM');
    expect(how).toEqual({ code: 1, signal: null });
    expect(ms).toBeLessThan(10_000);
    expect(logEntries(first.output).map((entry) => entry.msg)).toContain(
      'stop timed out; exiting with jobs unfinished (they stay in the journal)',
    );
    expect(await canListenOn(world.port)).toBe(true);

    // The killed run held the conversation's lease: the restart takes the job over once the lease expires (10 s).
    const second = await start(process.execPath, args, env, world.port, 'run 2');
    const text = update!.message!.text!;
    await eventually(() => postedTexts(world.slack).includes(text), 45_000);
    expect((await stopWith(second, 'SIGTERM')).how).toEqual({ code: 0, signal: null });
    expect(postedTexts(world.slack).filter((posted) => posted === text)).toHaveLength(1);
  }, 90_000);

  it('npm start: SIGTERM to the npm process stops the service too, and nothing is left listening', async ({ onTestFailed }) => {
    onTestFailed(() => console.error(`--- output (last 200 lines) ---\n${output.slice(-200).join('\n')}`));
    const world = await startWorld();
    const env = serviceEnv(world, { SLACK_POSTS_PER_SECOND: '1000' });
    const npm = await start('npm', ['start'], env, world.port, 'npm start');
    // /healthz answers 200 as soon as the service runs; its log line may reach the pipe a moment later.
    await eventually(() => logEntries(npm.output).some((entry) => entry.msg === 'threadline started'), 5000);
    const started = logEntries(npm.output).find((entry) => entry.msg === 'threadline started');
    const servicePid = Number(started?.pid);
    expect(servicePid).toBeGreaterThan(0);
    expect(servicePid).not.toBe(npm.child.pid);
    cleanups.push(() => {
      if (processExists(servicePid)) process.kill(servicePid, 'SIGKILL'); // an orphan left by a failed run
    });
    const acknowledged = await deliverAll(world.port);
    await eventually(() => acknowledged.every((text) => postedTexts(world.slack).includes(text)), 30_000);

    const { ms, how } = await stopWith(npm, 'SIGTERM');
    expect(how).toEqual({ code: 0, signal: null });
    expect(ms).toBeLessThan(STOP_WITHIN_MS);
    expect(logEntries(npm.output).map((entry) => entry.msg)).toContain('threadline stopped');
    await eventually(() => !processExists(servicePid), 2000);
    expect(await canListenOn(world.port)).toBe(true);
    for (const text of acknowledged)
      expect(
        postedTexts(world.slack).filter((posted) => posted === text),
        text,
      ).toHaveLength(1);
  }, 60_000);
});

interface World {
  readonly slack: FakeSlack;
  readonly telegram: FakeTelegramApi;
  readonly dataDir: string;
  readonly port: number;
}

async function startWorld(): Promise<World> {
  const slack = await startFakeSlack({ botToken: BOT_TOKEN });
  const telegram = await startFakeTelegramApi({ token: TELEGRAM_TOKEN });
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-production-'));
  cleanups.push(async () => {
    await slack.close();
    await telegram.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { slack, telegram, dataDir, port: await freePort() };
}

/** The image's ENV, then what `docker run -e …` and the DATA_DIR volume would set. Every setting explicit. */
function serviceEnv(world: World, extra: Record<string, string>): Record<string, string> {
  return baseEnv({
    ...image.env,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: world.slack.apiUrl,
    PORT: String(world.port),
    DATA_DIR: world.dataDir,
    DEFAULT_CHANNEL,
    TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    TELEGRAM_API_ROOT: world.telegram.apiRoot,
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    LOG_LEVEL: 'info',
    ...extra,
  });
}

/** Starts a command in the image's /app; killed with SIGKILL at the end of the test if still running. */
async function start(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
  port: number,
  label: string,
): Promise<ServiceProcess> {
  const service = await startService(command, args, { cwd: image.appDir, env, port, label, output });
  cleanups.push(async () => {
    if (service.child.exitCode === null && service.child.signalCode === null) {
      service.child.kill('SIGKILL');
      await service.exited;
    }
  });
  return service;
}

/** Sends the signal and waits (at most a minute) for the exit. */
async function stopWith(service: ServiceProcess, signal: NodeJS.Signals) {
  const startedAt = Date.now();
  service.child.kill(signal);
  const how = await Promise.race([
    service.exited,
    new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 60_000)),
  ]);
  return { ms: Date.now() - startedAt, how };
}

/** Runs the image's HEALTHCHECK command against `port`: its exit code. */
function healthcheck(port: number): Promise<number | null> {
  const [command, ...args] = image.healthcheck;
  expect(command).toBe('node');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: baseEnv({ PORT: String(port) }), stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}

/**
 * Each customer's messages as webhook deliveries, one after another per customer (all customers at
 * once); resolves with the acknowledged texts once every delivery was answered 200.
 */
async function deliverAll(port: number): Promise<string[]> {
  const acknowledged: string[] = [];
  await Promise.all(
    CUSTOMERS.map(async (name, index) => {
      for (const update of updatesOf(name, index)) {
        const { status } = await send(port, 'POST', '/webhooks/telegram', JSON.stringify(update), {
          'x-telegram-bot-api-secret-token': WEBHOOK_SECRET,
        });
        expect(status).toBe(200);
        acknowledged.push(update.message!.text!);
      }
    }),
  );
  return acknowledged;
}

let updateBase = 610_000;
function updatesOf(name: string, index: number): Update[] {
  const id = 8100 + index;
  updateBase += 1000;
  const base = updateBase;
  return Array.from(
    { length: MESSAGES_PER_CUSTOMER },
    (_, i): Update => ({
      update_id: base + index * 100 + i,
      message: {
        message_id: base + i,
        date: 1_760_000_000 + i,
        chat: { id, type: 'private', first_name: name },
        from: { id, is_bot: false, first_name: name, language_code: 'en' },
        text: `Hi, ${name} here (${base}), message ${i + 1} of ${MESSAGES_PER_CUSTOMER}: where is my parcel ${id}-${i + 1}, please?`,
      },
    }),
  );
}

const postedTexts = (slack: FakeSlack) => slack.messages(DEFAULT_CHANNEL).flatMap(shownMessages);

/** Entries left in the embedded store's journal (read with the service stopped). */
async function journalSize(dataDir: string): Promise<number> {
  const store = createSqliteStore({ dataDir });
  try {
    return await store.journal.size();
  } finally {
    await store.close();
  }
}
