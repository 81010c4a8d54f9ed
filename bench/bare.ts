/**
 * The bare pass-through the pipeline comparison measures Threadline against: the least a service
 * can do to bring a Telegram webhook into Slack. One HTTP server that checks Telegram's secret
 * header, parses the update and makes one `chat.postMessage` per webhook, answering 200 once Slack
 * answered. It posts with the Slack client Threadline itself uses (WebClient), so that the
 * comparison measures what Threadline adds, not a choice of HTTP client; `--bare=fetch` posts with
 * one plain `fetch` instead, the least any client can do. No journal, no store, no routing, no
 * threads: a crash loses whatever was in flight, and nothing is de-duplicated.
 *
 * It runs as a child process like the app (bench/app-process.ts), speaks the same IPC protocol
 * (start, measure, stop) and marks each post with the same metadata marker as Threadline
 * (`msg:<conversation>:<eventId>`), so the driver counts its deliveries the same way.
 *
 * Telegram's secret header: https://core.telegram.org/bots/api#setwebhook
 * chat.postMessage (JSON body, bearer token, metadata): https://docs.slack.dev/reference/methods/chat.postMessage
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FromApp, memory, type ToApp } from './app-process.ts';

interface Update {
  readonly message?: {
    readonly message_id: number;
    readonly chat: { readonly id: number };
    readonly from?: { readonly first_name?: string };
    readonly text?: string;
  };
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

interface Post {
  readonly channel: string;
  readonly text: string;
  readonly username: string;
  readonly metadata: { readonly event_type: string; readonly event_payload: Record<string, string> };
}

/** chat.postMessage with the Slack client Threadline uses (@slack/web-api's WebClient, as Bolt exports it), no retries. */
async function webClientPoster(env: Record<string, string>): Promise<(post: Post) => Promise<void>> {
  const { webApi } = await import('@slack/bolt');
  const client = new webApi.WebClient(env.SLACK_BOT_TOKEN, { slackApiUrl: env.SLACK_API_URL, retryConfig: { retries: 0 } });
  return async (post) => {
    await client.chat.postMessage(post);
  };
}

/** chat.postMessage as one plain fetch (JSON body): the least any client can do. */
function fetchPoster(env: Record<string, string>): (post: Post) => Promise<void> {
  const url = `${env.SLACK_API_URL}chat.postMessage`;
  return async (post) => {
    const reply = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${env.SLACK_BOT_TOKEN}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(post),
    });
    const answer = (await reply.json()) as { ok?: boolean; error?: string };
    if (answer.ok !== true) throw new Error(`chat.postMessage: ${answer.error ?? reply.status}`);
  };
}

async function runBare(): Promise<void> {
  const send = (message: FromApp) => process.send?.(message);
  const start = await new Promise<Extract<ToApp, { type: 'start' }>>((resolve) =>
    process.once('message', (message: ToApp) => message.type === 'start' && resolve(message)),
  );
  const baseline = memory();
  const t0 = performance.now();
  const env = start.env;
  const secret = env.TELEGRAM_WEBHOOK_SECRET ?? '';
  const bot = (env.TELEGRAM_BOT_TOKEN ?? '').split(':')[0] ?? '';
  const post = start.env.BENCH_BARE_CLIENT === 'fetch' ? fetchPoster(env) : await webClientPoster(env);
  let errors = 0;
  const problems: string[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'POST' || req.url !== '/webhooks/telegram') return res.writeHead(404).end();
      if (req.headers['x-telegram-bot-api-secret-token'] !== secret) return res.writeHead(401).end();
      const update = JSON.parse(await body(req)) as Update;
      const message = update.message;
      if (message === undefined) return res.writeHead(200).end();
      const eventId = `${message.chat.id}:${message.message_id}`;
      await post({
        channel: env.DEFAULT_CHANNEL ?? '',
        text: message.text ?? '',
        username: message.from?.first_name ?? 'customer',
        metadata: { event_type: 'threadline', event_payload: { key: `msg:telegram:${bot}:${message.chat.id}:${eventId}` } },
      });
      res.writeHead(200).end();
    })().catch((error: unknown) => {
      errors += 1;
      if (problems.length < 5) problems.push(error instanceof Error ? error.message : String(error));
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  send({ type: 'started', port, baseline, started: memory(), postsPerSecond: undefined, startMs: performance.now() - t0 });
  process.on('message', (message: ToApp) => {
    if (message.type === 'measure') send({ type: 'memory', memory: memory(), journalSize: 0 });
    else if (message.type === 'stop') {
      server.closeAllConnections();
      server.close(() => {
        send({ type: 'stopped', warnings: 0, errors, problems });
        process.disconnect();
      });
    }
  });
}

if (process.argv.includes('--role=bare')) await runBare();
