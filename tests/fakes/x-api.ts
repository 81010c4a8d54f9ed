/**
 * A fake X API on 127.0.0.1:<random port>, for running the real twitter-api-v2 client in tests
 * (pointed at it by X_API_ROOT).
 *
 *   const x = await startFakeXApi();
 *   const event = x.customerWrites({ text: 'Hello' });   // appears first in GET /2/dm_events
 *   x.failNext('send', { status: 429, body: tooManyRequests, headers: { 'x-rate-limit-reset': '…' } });
 *   const [call] = x.callsOf('send');                      // { route, method, path, query, body, files }
 *   await x.close();
 *
 * What it does like X: every request must carry an OAuth 1.0a header whose HMAC-SHA1 signature is
 * valid for the documented https://api.x.com URL (else 401); GET /2/dm_events lists events newest
 * first, `max_results` a page, with `meta.next_token` to older pages and the users and media the
 * expansions ask for in `includes`; a DM sent through POST /2/dm_conversations/with/:id/messages
 * becomes an event of the account (its echo); media is uploaded in initialize/append/finalize
 * steps; errors are problem objects.
 * @see https://docs.x.com/x-api/direct-messages/lookup/integrate
 * @see https://docs.x.com/x-api/direct-messages/manage/integrate
 * @see https://docs.x.com/x-api/media/media-upload
 * @see https://docs.x.com/resources/fundamentals/authentication/oauth-1-0a/creating-a-signature
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { account as defaultAccount, customer as defaultCustomer } from '../fixtures/x/dm-events.ts';

export const APP_KEY = 'xvz1evFS4wEEPTGEFPHBog';
export const APP_SECRET = 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw';
export const ACCESS_TOKEN = '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb';
export const ACCESS_SECRET = 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE';

export interface XUserRecord {
  readonly id: string;
  readonly name?: string;
  readonly username?: string;
  readonly profile_image_url?: string;
}

/** Routes by name, as `callsOf` and `failNext` take them. */
export type XRoute =
  | 'users/me'
  | 'users'
  | 'dm_events'
  | 'send'
  | 'media/initialize'
  | 'media/append'
  | 'media/finalize'
  | 'media/download'
  | 'unknown';

export interface RecordedXCall {
  readonly route: XRoute;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** JSON body, or the text fields of a multipart body. */
  readonly body: unknown;
  /** Files of a multipart body by field name. */
  readonly files: Readonly<Record<string, Buffer>>;
}

export interface XErrorReply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface FakeXApi {
  /** Pass as X_API_ROOT. */
  readonly apiRoot: string;
  readonly account: XUserRecord;
  readonly calls: readonly RecordedXCall[];
  /** DM events, oldest first. */
  readonly events: readonly Record<string, unknown>[];
  callsOf(route: XRoute): RecordedXCall[];
  addUser(user: XUserRecord): void;
  /** A customer writes to the account; returns the event as GET /2/dm_events lists it. */
  customerWrites(message: {
    readonly text?: string;
    readonly from?: XUserRecord;
    readonly mediaKeys?: readonly string[];
  }): Record<string, unknown>;
  /** Adds any event (fixtures, malformed ones); `id` and `created_at` are assigned when absent. Returns it. */
  pushEvent(event: Record<string, unknown>): Record<string, unknown>;
  /** Media the events can refer to by `media_key`, downloadable at the path of its `url` (or the best variant's). */
  addMedia(media: Record<string, unknown>, bytes: Uint8Array, contentType?: string): void;
  /** Uploaded media by media id. */
  readonly uploads: ReadonlyMap<string, { readonly type: string; readonly category?: string; readonly data: Buffer }>;
  /** The next `times` calls of `route` answer `reply`; `'network'` drops the connection. */
  failNext(route: XRoute, reply: XErrorReply | 'network', times?: number): void;
  /** Resolves with the calls of `route` once there are at least `count`. */
  waitFor(route: XRoute, count?: number, timeoutMs?: number): Promise<RecordedXCall[]>;
  close(): Promise<void>;
}

export interface FakeXOptions {
  readonly account?: XUserRecord;
  readonly appKey?: string;
  readonly appSecret?: string;
  readonly accessToken?: string;
  readonly accessSecret?: string;
  /** At most this many events a page, whatever max_results asks (X may return fewer); default 100. */
  readonly pageSize?: number;
}

/** The documented host every request is signed for. */
const SIGNED_ORIGIN = 'https://api.x.com';

export async function startFakeXApi(options: FakeXOptions = {}): Promise<FakeXApi> {
  const account = options.account ?? defaultAccount;
  const keys = {
    appKey: options.appKey ?? APP_KEY,
    appSecret: options.appSecret ?? APP_SECRET,
    accessToken: options.accessToken ?? ACCESS_TOKEN,
    accessSecret: options.accessSecret ?? ACCESS_SECRET,
  };
  const users = new Map<string, XUserRecord>([
    [account.id, account],
    [defaultCustomer.id, defaultCustomer],
  ]);
  const events: Record<string, unknown>[] = [];
  const media = new Map<string, Record<string, unknown>>();
  const downloads = new Map<string, { data: Buffer; contentType: string }>();
  const uploads = new Map<string, { type: string; category?: string; data: Buffer }>();
  const calls: RecordedXCall[] = [];
  const failures = new Map<XRoute, (XErrorReply | 'network')[]>();
  const listeners = new Set<() => void>();
  // Snowflake-like ids: later events have larger ids.
  let nextId = 1_700_000_000_000_000_000n;
  let nextMedia = 1_800_000_000_000_000_000n;
  const newId = () => String(++nextId);

  function pushEvent(event: Record<string, unknown>): Record<string, unknown> {
    const id = typeof event.id === 'string' ? event.id : newId();
    if (typeof event.id === 'string' && /^[0-9]+$/.test(event.id) && BigInt(event.id) > nextId) nextId = BigInt(event.id);
    const full = { ...event, id, created_at: event.created_at ?? new Date().toISOString() };
    events.push(full);
    return full;
  }

  const conversationOf = (a: string, b: string) => [a, b].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1)).join('-');

  function page(query: Record<string, string>) {
    const max = Math.min(Math.max(Number(query.max_results ?? 100), 1), options.pageSize ?? 100);
    const newestFirst = [...events].sort((a, b) => (BigInt(String(b.id)) > BigInt(String(a.id)) ? 1 : -1));
    const before = query.pagination_token;
    const start = before === undefined ? 0 : newestFirst.findIndex((e) => BigInt(String(e.id)) < BigInt(before));
    const slice = start < 0 ? [] : newestFirst.slice(start, start + max);
    const expansions = (query.expansions ?? '').split(',');
    const fields = new Set(['id', 'event_type', 'text', ...(query['dm_event.fields'] ?? '').split(',')]);
    const data = slice.map((e) => Object.fromEntries(Object.entries(e).filter(([key]) => fields.has(key))));
    const userIds = new Set<string>();
    for (const e of slice) {
      if (expansions.includes('sender_id') && typeof e.sender_id === 'string') userIds.add(e.sender_id);
      if (expansions.includes('participant_ids') && Array.isArray(e.participant_ids))
        for (const id of e.participant_ids) userIds.add(String(id));
    }
    const keysUsed = expansions.includes('attachments.media_keys')
      ? slice.flatMap((e) => {
          const keys = (e.attachments as { media_keys?: unknown } | null | undefined)?.media_keys;
          return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string' && media.has(k)) : [];
        })
      : [];
    const includedUsers = [...userIds].flatMap((id) => users.get(id) ?? []);
    const includedMedia = keysUsed.flatMap((k) => media.get(k) ?? []);
    const last = slice.at(-1);
    const more = last !== undefined && start + max < newestFirst.length;
    return {
      ...(data.length > 0 ? { data } : {}),
      ...(includedUsers.length + includedMedia.length > 0
        ? {
            includes: {
              ...(includedUsers.length ? { users: includedUsers } : {}),
              ...(includedMedia.length ? { media: includedMedia } : {}),
            },
          }
        : {}),
      meta: { result_count: data.length, ...(more ? { next_token: String(last.id) } : {}) },
    };
  }

  function routeOf(method: string, path: string): { route: XRoute; param?: string } {
    if (method === 'GET' && path === '/2/users/me') return { route: 'users/me' };
    if (method === 'GET' && path === '/2/users') return { route: 'users' };
    if (method === 'GET' && path === '/2/dm_events') return { route: 'dm_events' };
    const send = /^\/2\/dm_conversations\/with\/([0-9]+)\/messages$/.exec(path);
    if (method === 'POST' && send) return { route: 'send', param: send[1] ?? '' };
    if (method === 'POST' && path === '/2/media/upload/initialize') return { route: 'media/initialize' };
    const step = /^\/2\/media\/upload\/([0-9]+)\/(append|finalize)$/.exec(path);
    if (method === 'POST' && step) return { route: step[2] === 'append' ? 'media/append' : 'media/finalize', param: step[1] ?? '' };
    if (method === 'GET' && downloads.has(path)) return { route: 'media/download' };
    return { route: 'unknown' };
  }

  async function onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    const type = req.headers['content-type'] ?? '';
    const query = Object.fromEntries(url.searchParams);
    const { body, files } = await parseBody(raw, type);
    const { route, param } = routeOf(method, url.pathname);
    calls.push({ route, method, path: url.pathname, query, body, files });
    notify();
    const failure = failures.get(route)?.shift();
    if (failure === 'network') return void req.socket.destroy();
    if (failure !== undefined) return reply(res, failure.status, failure.body, failure.headers);
    // Downloads are signed for the media host, which the fake does not know: their header is only checked for the keys.
    const origin = route === 'media/download' ? undefined : SIGNED_ORIGIN;
    if (!authorized(req.headers.authorization, method, origin, url, keys))
      return reply(res, 401, { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' });
    switch (route) {
      case 'users/me':
        return reply(res, 200, { data: account });
      case 'users': {
        const ids = (query.ids ?? '').split(',').filter(Boolean);
        const found = ids.flatMap((id) => users.get(id) ?? []);
        return reply(
          res,
          200,
          found.length > 0
            ? { data: found }
            : {
                errors: ids.map((id) => ({
                  value: id,
                  detail: `Could not find user with ids: [${id}].`,
                  title: 'Not Found Error',
                  resource_type: 'user',
                  parameter: 'ids',
                  resource_id: id,
                  type: 'https://api.twitter.com/2/problems/resource-not-found',
                })),
              },
        );
      }
      case 'dm_events':
        return reply(res, 200, page(query));
      case 'send': {
        const participant = param ?? '';
        const message = (body ?? {}) as { text?: string; attachments?: { media_id: string }[] };
        const mediaKeys = (message.attachments ?? []).map((a) => `3_${a.media_id}`);
        const sent = pushEvent({
          event_type: 'MessageCreate',
          ...(message.text === undefined ? {} : { text: message.text }),
          sender_id: account.id,
          dm_conversation_id: conversationOf(account.id, participant),
          ...(mediaKeys.length > 0 ? { attachments: { media_keys: mediaKeys } } : {}),
        });
        return reply(res, 201, { data: { dm_conversation_id: sent.dm_conversation_id, dm_event_id: sent.id } });
      }
      case 'media/initialize': {
        const init = (body ?? {}) as { media_type?: string; media_category?: string };
        const id = String(++nextMedia);
        uploads.set(id, {
          type: init.media_type ?? '',
          ...(init.media_category ? { category: init.media_category } : {}),
          data: Buffer.alloc(0),
        });
        return reply(res, 200, { data: { id, media_key: `3_${id}`, expires_after_secs: 86400 } });
      }
      case 'media/append': {
        const upload = uploads.get(param ?? '');
        if (upload === undefined)
          return reply(res, 400, { title: 'Invalid Request', detail: 'unknown media id', type: 'about:blank', status: 400 });
        upload.data = Buffer.concat([upload.data, files.media ?? Buffer.alloc(0)]);
        return reply(res, 200, {});
      }
      case 'media/finalize': {
        const upload = uploads.get(param ?? '');
        if (upload === undefined)
          return reply(res, 400, { title: 'Invalid Request', detail: 'unknown media id', type: 'about:blank', status: 400 });
        return reply(res, 200, { data: { id: param, media_key: `3_${param}`, size: upload.data.length, expires_after_secs: 86400 } });
      }
      case 'media/download': {
        const file = downloads.get(url.pathname);
        if (file === undefined) return reply(res, 404, {});
        res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.data.length });
        return void res.end(file.data);
      }
      default:
        return reply(res, 404, {
          title: 'Not Found Error',
          type: 'about:blank',
          status: 404,
          detail: `no route ${method} ${url.pathname}`,
        });
    }
  }

  const notify = () => {
    for (const listener of listeners) listener();
  };

  const server = http.createServer((req, res) => {
    onRequest(req, res).catch((error: unknown) =>
      reply(res, 500, { title: 'Internal Error', detail: String(error), type: 'about:blank', status: 500 }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    account,
    calls,
    events,
    uploads,
    callsOf: (route) => calls.filter((call) => call.route === route),
    addUser: (user) => void users.set(user.id, user),
    customerWrites({ text, from = defaultCustomer, mediaKeys }) {
      users.set(from.id, { ...(users.get(from.id) ?? {}), ...from });
      return pushEvent({
        event_type: 'MessageCreate',
        ...(text === undefined ? {} : { text }),
        sender_id: from.id,
        dm_conversation_id: conversationOf(from.id, account.id),
        ...(mediaKeys && mediaKeys.length > 0 ? { attachments: { media_keys: [...mediaKeys] } } : {}),
      });
    },
    pushEvent,
    addMedia(item, bytes, contentType = 'application/octet-stream') {
      media.set(String(item.media_key), item);
      const variants = (item.variants as { url: string }[] | undefined) ?? [];
      for (const target of [item.url, ...variants.map((v) => v.url)]) {
        if (typeof target === 'string') downloads.set(new URL(target).pathname, { data: Buffer.from(bytes), contentType });
      }
    },
    failNext(route, reply, times = 1) {
      failures.set(route, [...(failures.get(route) ?? []), ...Array.from({ length: times }, () => reply)]);
    },
    waitFor: (route, count = 1, timeoutMs = 8000) =>
      new Promise((resolve, reject) => {
        const listener = () => {
          const found = calls.filter((call) => call.route === route);
          if (found.length < count) return;
          listeners.delete(listener);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(
            new Error(`fake X: timed out waiting for ${count} × ${route} (saw: ${calls.map((c) => c.route).join(', ') || 'nothing'})`),
          );
        }, timeoutMs);
        listeners.add(listener);
        listener();
      }),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Checks an OAuth 1.0a header: the consumer key and token, and (for API calls) the HMAC-SHA1
 * signature over the documented https://api.x.com URL. JSON and multipart bodies are not signed.
 * @see https://docs.x.com/resources/fundamentals/authentication/oauth-1-0a/creating-a-signature
 */
function authorized(
  header: string | undefined,
  method: string,
  origin: string | undefined,
  url: URL,
  keys: { appKey: string; appSecret: string; accessToken: string; accessSecret: string },
): boolean {
  if (header === undefined || !header.startsWith('OAuth ')) return false;
  const oauth = Object.fromEntries(
    [...header.slice(6).matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [m[1] ?? '', decodeURIComponent(m[2] ?? '')]),
  );
  if (oauth.oauth_consumer_key !== keys.appKey || oauth.oauth_token !== keys.accessToken) return false;
  if (origin === undefined) return true;
  const params = [...Object.entries(oauth).filter(([k]) => k !== 'oauth_signature'), ...url.searchParams.entries()]
    .map(([k, v]) => [percent(k), percent(v)] as const)
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const base = [method.toUpperCase(), percent(`${origin}${url.pathname}`), percent(params)].join('&');
  const expected = createHmac('sha1', `${percent(keys.appSecret)}&${percent(keys.accessSecret)}`)
    .update(base)
    .digest('base64');
  return oauth.oauth_signature === expected;
}

/** RFC 3986 percent-encoding, as OAuth 1.0a requires. */
function percent(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function reply(res: http.ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function parseBody(raw: Buffer, type: string): Promise<{ body: unknown; files: Record<string, Buffer> }> {
  if (raw.length === 0) return { body: undefined, files: {} };
  if (type.startsWith('application/json')) return { body: JSON.parse(raw.toString('utf8')) as unknown, files: {} };
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
  if (type.startsWith('multipart/form-data') && boundary !== null) return parseMultipart(raw, boundary[1] ?? boundary[2] ?? '');
  return { body: raw.toString('utf8'), files: {} };
}

/**
 * Parses multipart/form-data as twitter-api-v2 writes it: a binary part has `Content-Type:
 * application/octet-stream` and no file name (so `Response.formData()` would read it as text).
 */
function parseMultipart(raw: Buffer, boundary: string): { body: Record<string, string>; files: Record<string, Buffer> } {
  const delimiter = Buffer.from(`--${boundary}`);
  const body: Record<string, string> = {};
  const files: Record<string, Buffer> = {};
  let start = raw.indexOf(delimiter);
  while (start !== -1) {
    const end = raw.indexOf(delimiter, start + delimiter.length);
    if (end === -1) break;
    let part = raw.subarray(start + delimiter.length, end);
    if (part.subarray(0, 2).toString() === '\r\n') part = part.subarray(2);
    if (part.subarray(-2).toString() === '\r\n') part = part.subarray(0, -2);
    const split = part.indexOf('\r\n\r\n');
    if (split !== -1) {
      const head = part.subarray(0, split).toString('utf8');
      const data = part.subarray(split + 4);
      const name = /name="([^"]*)"/i.exec(head)?.[1];
      if (name !== undefined && /content-type:\s*application\/octet-stream/i.test(head)) files[name] = Buffer.from(data);
      else if (name !== undefined) body[name] = data.toString('utf8');
    }
    start = end;
  }
  return { body, files };
}
