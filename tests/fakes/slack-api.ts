/**
 * A fake Slack on 127.0.0.1:0 for running the real Bolt / WebClient against: the Web API methods
 * Threadline uses (with state: channels, threads, metadata, reactions, files), the file upload URL,
 * `url_private` downloads, `response_url`, and a Socket Mode WebSocket server.
 *
 * Shapes follow the method pages on docs.slack.dev (cited per method below). Errors are HTTP 200
 * with `{ ok: false, error }`; rate limits are HTTP 429 with `Retry-After` seconds.
 * Source: https://docs.slack.dev/apis/web-api/ , https://docs.slack.dev/apis/web-api/rate-limits
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { WebSocketServer, type WebSocket } from 'ws';
import { parse } from 'yaml';
import { blockActions, eventCallback, SLACK_TEST_IDS } from '../support/slack-signing.ts';
import { createMessageStore, type FakeFile, type FakeMessage } from './slack-state.ts';

export type { FakeFile, FakeMessage };

/** One request the fake received; `args` are parsed (form values that hold JSON are decoded). */
export interface FakeSlackCall {
  readonly method: string;
  readonly path: string;
  readonly args: Record<string, unknown>;
  readonly auth?: string;
}

/** What `failNext` makes the next call of a method answer. */
export type FakeFailure =
  | { readonly error: string; readonly needed?: string }
  | { readonly status: 429; readonly retryAfter: number }
  | { readonly status: number };

/** A Socket Mode acknowledgement the client sent back. Source: https://docs.slack.dev/apis/events-api/using-socket-mode#acknowledge */
export interface SocketAck {
  readonly envelope_id: string;
  readonly payload?: Record<string, unknown>;
}

/** Tokens the fake insists on (any token is accepted when unset). The bot is SLACK_TEST_IDS (UBOT / BBOT). */
export interface FakeSlackOptions {
  readonly botToken?: string;
  readonly appToken?: string;
  /** The bot token's scopes, sent in `x-oauth-scopes`. Default: the bot scopes of manifest.yml, as for an app created from it. */
  readonly scopes?: readonly string[];
  /** Enforce Slack's per-channel pace on chat.postMessage from the start (see `pace()`). */
  readonly pace?: FakePace;
}

/**
 * Slack's pace for chat.postMessage: "generally 1 message per second per channel", "short bursts
 * allowed"; over it, HTTP 429 with `Retry-After` seconds. Slack does not say how long a burst may
 * be, so it is a setting here. The fake counts a post when it arrives, as Slack does.
 * Source: https://docs.slack.dev/apis/web-api/rate-limits
 */
export interface FakePace {
  readonly perSecond: number;
  /** Posts a channel may take back to back after a quiet period. */
  readonly burst: number;
}

/** A call the fake refused for going over the pace. */
export interface FakeRateLimited {
  readonly method: string;
  readonly slackChannelId: string;
  readonly retryAfter: number;
  readonly at: number;
}

/** The bot scopes of the project's manifest.yml, read as Slack reads the pasted manifest. */
function manifestScopes(): readonly string[] {
  const manifest = parse(readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8')) as {
    oauth_config: { scopes: { bot: string[] } };
  };
  return manifest.oauth_config.scopes.bot;
}

/** The app-level token's scope (Basic Information → App-Level Tokens → connections:write). */
const APP_TOKEN_SCOPES = ['connections:write'];

type Args = Record<string, unknown>;
type Handler = (args: Args) => Args;

const NESTED_JSON = new Set(['blocks', 'metadata', 'view', 'files', 'attachments']);

/** Starts the fake. Close it with `close()`. */
export async function startFakeSlack(options: FakeSlackOptions = {}) {
  const calls: FakeSlackCall[] = [];
  const failures = new Map<string, FakeFailure[]>();
  const refusals: { method: string; matches: (args: Args) => boolean; error: string }[] = [];
  const responses: { path: string; body: unknown }[] = [];
  const acks: SocketAck[] = [];
  const pendingAcks = new Map<string, (ack: SocketAck) => void>();
  const sockets = new Set<WebSocket>();
  const server = createServer((req, res) => void route(req, res));
  const wss = new WebSocketServer({ noServer: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const store = createMessageStore(base, SLACK_TEST_IDS);
  const botScopes = options.scopes ?? manifestScopes();
  let envelopeCounter = 0;
  let pace: FakePace | undefined = options.pace;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const rateLimited: FakeRateLimited[] = [];

  /** Seconds to wait when this post goes over its channel's pace; undefined when it may go. */
  function overPace(slackChannelId: string): number | undefined {
    if (pace === undefined) return undefined;
    const now = Date.now();
    const bucket = buckets.get(slackChannelId) ?? { tokens: pace.burst, at: now };
    bucket.tokens = Math.min(pace.burst, bucket.tokens + ((now - bucket.at) / 1000) * pace.perSecond);
    bucket.at = now;
    buckets.set(slackChannelId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / pace.perSecond));
  }

  const methods: Record<string, Handler> = {
    // https://docs.slack.dev/reference/methods/auth.test
    'auth.test': () => ({
      ok: true,
      url: `${base}/`,
      team: 'Threadline Test',
      user: 'threadline',
      team_id: SLACK_TEST_IDS.teamId,
      user_id: SLACK_TEST_IDS.botUserId,
      bot_id: SLACK_TEST_IDS.botId,
    }),
    // https://docs.slack.dev/reference/methods/apps.connections.open
    'apps.connections.open': () => ({ ok: true, url: `${base.replace('http', 'ws')}/link/?ticket=fake` }),
    ...store.methods,
  };

  async function route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', base);
    const raw = await readBody(req);
    const auth = req.headers.authorization;
    if (url.pathname.startsWith('/api/')) return api(url.pathname.slice(5), url.pathname, raw, req, res);
    if (req.method === 'POST' && url.pathname.startsWith('/upload/v1/')) {
      // The upload URL from files.getUploadURLExternal: raw bytes or a multipart form (WebClient's).
      store.upload(url.pathname.slice('/upload/v1/'.length), await fileBytes(raw, req.headers['content-type']));
      calls.push({ method: 'upload', path: url.pathname, args: {}, ...(auth ? { auth } : {}) });
      return send(res, 200, `OK - ${raw.length}`, 'text/plain');
    }
    if (req.method === 'GET' && url.pathname.startsWith('/files-pri/')) {
      // url_private needs the bot token; without it Slack serves its HTML sign-in page.
      // Source: https://docs.slack.dev/messaging/working-with-files#authenticating
      const file = store.fileByPrivatePath(url.pathname);
      if (!file) return send(res, 404, 'not found', 'text/plain');
      if (options.botToken && auth !== `Bearer ${options.botToken}`)
        return send(res, 200, '<html><body>Sign in to Slack</body></html>', 'text/html');
      res.writeHead(302, { location: `${base}/download/${file.id}?sig=fake` }).end();
      return;
    }
    if (req.method === 'GET' && url.pathname.startsWith('/download/')) {
      const file = store.files.get(url.pathname.slice('/download/'.length));
      if (!file) return send(res, 404, 'not found', 'text/plain');
      res.writeHead(200, { 'content-type': file.mimetype, 'content-length': file.data.length }).end(file.data);
      return;
    }
    if (req.method === 'POST' && url.pathname.startsWith('/respond/')) {
      responses.push({ path: url.pathname, body: JSON.parse(raw.toString() || '{}') });
      return send(res, 200, JSON.stringify({ ok: true }), 'application/json');
    }
    send(res, 404, 'not found', 'text/plain');
  }

  function api(method: string, path: string, raw: Buffer, req: IncomingMessage, res: ServerResponse) {
    const args = parseArgs(raw.toString(), req.headers['content-type'] ?? '');
    const auth = req.headers.authorization ?? (typeof args.token === 'string' ? `Bearer ${args.token}` : undefined);
    calls.push({ method, path, args, ...(auth ? { auth } : {}) });
    const failure = failures.get(method)?.shift();
    if (failure && 'status' in failure) {
      const headers: Record<string, string> =
        failure.status === 429 && 'retryAfter' in failure ? { 'retry-after': String(failure.retryAfter) } : {};
      res
        .writeHead(failure.status, { 'content-type': 'application/json', ...headers })
        .end(JSON.stringify({ ok: false, error: failure.status === 429 ? 'ratelimited' : 'internal_error' }));
      return;
    }
    if (failure) return json(res, { ok: false, ...failure });
    const retryAfter = method === 'chat.postMessage' ? overPace(String(args.channel ?? '')) : undefined;
    if (retryAfter !== undefined) {
      rateLimited.push({ method, slackChannelId: String(args.channel ?? ''), retryAfter, at: Date.now() });
      res
        .writeHead(429, { 'content-type': 'application/json', 'retry-after': String(retryAfter) })
        .end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }
    const refusal = refusals.find((r) => r.method === method && r.matches(args));
    if (refusal) return json(res, { ok: false, error: refusal.error });
    const wanted = method === 'apps.connections.open' ? options.appToken : options.botToken;
    if (wanted && auth !== `Bearer ${wanted}`) return json(res, { ok: false, error: auth ? 'invalid_auth' : 'not_authed' });
    const handler = methods[method];
    // Every answer to an authenticated call names the token's scopes in X-OAuth-Scopes (comma-separated).
    // Source: https://api.slack.com/legacy/oauth-scopes (X-OAuth-Scopes, X-Accepted-OAuth-Scopes)
    const scopes = (method === 'apps.connections.open' ? APP_TOKEN_SCOPES : botScopes).join(',');
    json(res, handler ? handler(args) : { ok: false, error: 'unknown_method' }, { 'x-oauth-scopes': scopes });
  }

  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data) => {
        const ack = JSON.parse(String(data)) as SocketAck;
        acks.push(ack);
        pendingAcks.get(ack.envelope_id)?.(ack);
        pendingAcks.delete(ack.envelope_id);
      });
      // Without hello the client never reports itself connected.
      ws.send(
        JSON.stringify({
          type: 'hello',
          num_connections: 1,
          connection_info: { app_id: SLACK_TEST_IDS.appId },
          debug_info: { host: 'fake' },
        }),
      );
    });
  });

  /** Sends one Socket Mode envelope and resolves with the client's ack. Source: https://docs.slack.dev/apis/events-api/using-socket-mode */
  function envelope(
    type: 'events_api' | 'slash_commands' | 'interactive',
    payload: Args,
    acceptsResponsePayload: boolean,
    timeoutMs = 3000,
  ): Promise<SocketAck> {
    const ws = [...sockets][0];
    if (!ws) return Promise.reject(new Error('no Socket Mode client is connected'));
    const envelopeId = `env-${++envelopeCounter}`;
    return new Promise<SocketAck>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ack for ${envelopeId} (${type})`)), timeoutMs);
      pendingAcks.set(envelopeId, (ack) => {
        clearTimeout(timer);
        resolve(ack);
      });
      ws.send(
        JSON.stringify({
          envelope_id: envelopeId,
          type,
          payload,
          accepts_response_payload: acceptsResponsePayload,
          retry_attempt: 0,
          retry_reason: '',
        }),
      );
    });
  }

  return {
    base,
    /** SLACK_API_URL for the WebClient. */
    apiUrl: `${base}/api/`,
    calls,
    /** Bodies POSTed to `${base}/respond/...` response URLs. */
    responses,
    /** Socket Mode acks, in arrival order. */
    acks,
    /** Every message per Slack channel, in posting order. */
    messages: (slackChannelId: string): FakeMessage[] => store.messages(slackChannelId),
    /** One message, or undefined. */
    message: (slackChannelId: string, ts: string): FakeMessage | undefined => store.find(slackChannelId, ts),
    /** The replies of a thread (not the parent), in order. */
    replies: (slackChannelId: string, threadTs: string): FakeMessage[] =>
      store.messages(slackChannelId).filter((m) => m.thread_ts === threadTs && m.ts !== threadTs),
    files: store.files,
    /** Views published per user (views.publish), newest last. */
    views: store.views,
    /** Adds a message as a person would write it (for reactions and replies to target). */
    addUserMessage: store.addUserMessage,
    /** Adds a file as if an agent uploaded it; returns Slack's file object (with url_private) for events. */
    addFile: store.addFile,
    /** Sets a user's role for users.info (unknown users are ordinary members). */
    setUser: store.setUser,
    /** Sets a user's presence for users.getPresence (`away` until set). */
    setPresence: store.setPresence,
    /** Makes the bot "not in channel": writes and reads there fail with not_in_channel. */
    kickBot: store.kickBot,
    /** Names a channel, makes it private or archived, or deletes it (conversations.info then answers channel_not_found). */
    setChannel: store.setChannel,
    /** A response_url that records what is POSTed to it. */
    responseUrl: (id = String(responses.length + 1)) => `${base}/respond/${id}`,
    /** Enforces Slack's per-channel pace on chat.postMessage from now on (undefined: no pace). Channels start with their burst. */
    pace(next: FakePace | undefined) {
      pace = next;
      buckets.clear();
    },
    /** Posts refused with 429 for going over the pace, in order. */
    rateLimited,
    /** Makes the next call of `method` fail as given (errors queue up per method). */
    failNext(method: string, failure: FakeFailure) {
      failures.set(method, [...(failures.get(method) ?? []), failure]);
    },
    /**
     * Makes every call of `method` whose arguments match answer `{ ok: false, error }` (e.g. a
     * message Slack always refuses: `msg_too_long`), until the returned function is called.
     */
    refuse(method: string, matches: (args: Args) => boolean, error: string): () => void {
      const refusal = { method, matches, error };
      refusals.push(refusal);
      return () => void refusals.splice(refusals.indexOf(refusal), 1);
    },
    /** Resolves with the calls of `method` once there are at least `count`. */
    async waitFor(method: string, count = 1, timeoutMs = 3000): Promise<FakeSlackCall[]> {
      for (const start = Date.now(); Date.now() - start < timeoutMs; await new Promise((r) => setTimeout(r, 10))) {
        const hits = calls.filter((c) => c.method === method);
        if (hits.length >= count) return hits;
      }
      throw new Error(`timed out waiting for ${count} × ${method} (saw ${calls.filter((c) => c.method === method).length})`);
    },
    socket: {
      /** Whether a Socket Mode client is connected. */
      connected: () => sockets.size > 0,
      envelope,
      /** Pushes an Events API event (inner event or full event_callback) and resolves with the ack. */
      pushEvent: (event: Args) => envelope('events_api', event.type === 'event_callback' ? event : eventCallback(event), false),
      /** Pushes a slash command (fields as from slashCommand()) and resolves with the ack (its payload is the answer). */
      pushSlashCommand: (fields: Record<string, string>) => envelope('slash_commands', fields, true),
      /** Pushes an interaction payload (e.g. blockActions()) and resolves with the ack. */
      pushInteractive: (payload: Args) => envelope('interactive', payload, false),
      /** Convenience: a button click on a message. */
      clickButton: (fields: Parameters<typeof blockActions>[0]) => envelope('interactive', blockActions(fields), false),
    },
    /** Closes sockets and the server. */
    async close() {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The fake's handle. */
export type FakeSlack = Awaited<ReturnType<typeof startFakeSlack>>;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Form-encoded (WebClient's default, nested values as JSON strings) or JSON bodies. */
function parseArgs(raw: string, contentType: string): Args {
  if (contentType.includes('json')) return raw ? (JSON.parse(raw) as Args) : {};
  const args: Args = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    args[key] = NESTED_JSON.has(key) && /^[[{]/.test(value) ? JSON.parse(value) : value;
  }
  return args;
}

/** The uploaded bytes: the first file part of a multipart form, else the raw body. */
async function fileBytes(raw: Buffer, contentType: string | undefined): Promise<Buffer> {
  if (!contentType?.startsWith('multipart/form-data')) return raw;
  const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  for (const [, value] of form) if (typeof value !== 'string') return Buffer.from(await value.arrayBuffer());
  return raw;
}

function send(res: ServerResponse, status: number, body: string, type: string) {
  res.writeHead(status, { 'content-type': type }).end(body);
}

function json(res: ServerResponse, body: Args, headers: Record<string, string> = {}) {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
}
