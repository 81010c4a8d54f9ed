/**
 * A fake Telegram Bot API on 127.0.0.1:<random port>, for running the real grammY client in tests.
 *
 *   const tg = await startFakeTelegramApi({ token: '123456:TEST' });
 *   const bot = new Bot('123456:TEST', { client: { apiRoot: tg.apiRoot } });
 *   tg.pushUpdate({ message: { … } });           // served to the next (or the parked) getUpdates
 *   await tg.waitForConfirmed(update.update_id); // the client called getUpdates with a higher offset
 *   tg.failNext('sendMessage', botBlocked);       // the next sendMessage answers 403
 *   const [call] = tg.callsOf('sendPhoto');        // { method, params, files: { photo: { fileName, data } } }
 *   await tg.close();
 *
 * What it does like Telegram: real long polling (getUpdates parks until an update or `timeout`),
 * updates confirmed by `offset` are gone, getUpdates answers 409 while a webhook is set, uploads
 * arrive as multipart/form-data with `attach://` references, sent files become downloadable through
 * getFile and `/file/bot<token>/<file_path>`, and errors have the documented `{ ok: false, … }` shape.
 * @see https://core.telegram.org/bots/api#making-requests
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { File, Message, Update, UserFromGetMe, WebhookInfo } from 'grammy/types';
import type { TelegramErrorReply } from '../fixtures/telegram/api-errors.ts';
import { botInfo as defaultBotInfo } from '../fixtures/telegram/updates.ts';

/** One request the fake received. Downloads are recorded as method `downloadFile` with `params.file_path`. */
export interface RecordedCall {
  readonly method: string;
  /** JSON body, query string and multipart text fields merged; multipart values that hold JSON objects or arrays are parsed. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Uploaded files by the parameter that referenced them (`photo`, `document`, …). */
  readonly files: Readonly<Record<string, UploadedFile>>;
}

export interface UploadedFile {
  readonly fileName: string;
  readonly data: Buffer;
}

/** An update to deliver; `update_id` is assigned when left out. */
export type UpdateInput = Omit<Update, 'update_id'> & { readonly update_id?: number };

export interface FakeTelegramOptions {
  /** When set, requests with any other token get 401 "Unauthorized: invalid token specified". */
  readonly token?: string;
  /** getMe's answer. Default: `botInfo` from tests/fixtures/telegram/updates.ts. */
  readonly botInfo?: UserFromGetMe;
}

export interface FakeTelegramApi {
  /** Pass as grammY's `client.apiRoot` (no trailing slash). */
  readonly apiRoot: string;
  readonly botInfo: UserFromGetMe;
  /** Every request, in arrival order. */
  readonly calls: readonly RecordedCall[];
  /** The webhook set by setWebhook, undefined after deleteWebhook. */
  readonly webhook: { readonly url: string; readonly params: Readonly<Record<string, unknown>> } | undefined;
  /** Sets a webhook as another program's setWebhook call would (Telegram keeps it until deleteWebhook). */
  presetWebhook(url: string, params?: Readonly<Record<string, unknown>>): void;
  /** Records a failed delivery to the webhook, which getWebhookInfo then reports (last_error_date, last_error_message). */
  failWebhookDelivery(message: string, unixSeconds?: number): void;
  callsOf(method: string): RecordedCall[];
  /** Queues an update for getUpdates and wakes a parked long poll. Returns it with its update_id. */
  pushUpdate(update: UpdateInput): Update;
  /** Resolves once a getUpdates call carried an offset above `updateId` (Telegram's confirmation). */
  waitForConfirmed(updateId: number, timeoutMs?: number): Promise<void>;
  /** Resolves with the calls of `method` once there are at least `count` of them. */
  waitFor(method: string, count?: number, timeoutMs?: number): Promise<RecordedCall[]>;
  /** Makes a file available to getFile and the download route. Returns its file_id and file_path. */
  addFile(file: {
    readonly data: Uint8Array | string;
    readonly fileId?: string;
    readonly filePath?: string;
    readonly contentType?: string;
  }): { file_id: string; file_path: string };
  /** The next `times` calls of `method` (or `downloadFile`) answer with `reply`; `'network'` drops the connection. */
  failNext(method: string, reply: TelegramErrorReply | 'network', times?: number): void;
  /** Drops parked long polls and open connections, then stops listening. */
  close(): Promise<void>;
}

interface StoredFile {
  readonly fileId: string;
  readonly path: string;
  readonly data: Buffer;
  readonly contentType?: string;
}

type Handler = (params: Record<string, unknown>, files: Record<string, UploadedFile>) => unknown;

/** Starts the fake. */
export async function startFakeTelegramApi(options: FakeTelegramOptions = {}): Promise<FakeTelegramApi> {
  const botInfo = options.botInfo ?? defaultBotInfo;
  const calls: RecordedCall[] = [];
  const queue: Update[] = [];
  const files = new Map<string, StoredFile>();
  const failures = new Map<string, (TelegramErrorReply | 'network')[]>();
  const listeners = new Set<() => void>();
  const parked = new Set<() => boolean>();
  let nextUpdateId = 1;
  let nextMessageId = 5000;
  let confirmedBelow = 0;
  let webhook: FakeTelegramApi['webhook'];
  let webhookError: { readonly date: number; readonly message: string } | undefined;

  const notify = () => listeners.forEach((listener) => listener());

  function addFile(file: Parameters<FakeTelegramApi['addFile']>[0]) {
    const fileId = file.fileId ?? `file-${files.size + 1}`;
    const path = file.filePath ?? `documents/${fileId}.bin`;
    files.set(fileId, { fileId, path, data: Buffer.from(file.data), ...(file.contentType ? { contentType: file.contentType } : {}) });
    return { file_id: fileId, file_path: path };
  }

  /** A documented Message as Telegram returns it from send* methods. @see https://core.telegram.org/bots/api#message */
  function sent(params: Record<string, unknown>, content: Partial<Message>): Message {
    const chatId = Number(params.chat_id);
    return {
      message_id: ++nextMessageId,
      date: Math.floor(Date.now() / 1000),
      chat: chatId > 0 ? { id: chatId, type: 'private', first_name: 'Customer' } : { id: chatId, type: 'group', title: 'Group' },
      from: { id: botInfo.id, is_bot: true, first_name: botInfo.first_name, username: botInfo.username },
      ...content,
    } as Message;
  }

  /** Stores an upload so it can be fetched back, and describes it as Telegram's file objects do. @see https://core.telegram.org/bots/api#document */
  function stored(upload: UploadedFile | undefined, dir: string) {
    const { file_id, file_path } = addFile({
      data: upload?.data ?? Buffer.alloc(0),
      filePath: `${dir}/${upload?.fileName ?? 'file'}`,
      fileId: `sent-${files.size + 1}`,
    });
    return { file_id, file_unique_id: `u-${file_id}`, file_size: upload?.data.length ?? 0, file_path };
  }

  const caption = (p: Record<string, unknown>) => (typeof p.caption === 'string' ? { caption: p.caption } : {});
  const handlers: Record<string, Handler> = {
    getMe: () => botInfo,
    // @see https://core.telegram.org/bots/api#setwebhook and #deletewebhook ("Returns True on success")
    setWebhook: (p) => ((webhook = { url: String(p.url), params: p }), true),
    deleteWebhook: () => ((webhook = undefined), (webhookError = undefined), true),
    getWebhookInfo: () => webhookInfo(),
    sendMessage: (p) => sent(p, { text: String(p.text) }),
    sendPhoto: (p, f) => {
      const { file_id, file_unique_id, file_size } = stored(f.photo, 'photos');
      return sent(p, { photo: [{ file_id, file_unique_id, file_size, width: 800, height: 600 }], ...caption(p) });
    },
    sendDocument: (p, f) => {
      const { file_path: _, ...file } = stored(f.document, 'documents');
      return sent(p, { document: { ...file, file_name: f.document?.fileName ?? 'file' }, ...caption(p) });
    },
    sendVoice: (p, f) => {
      const { file_path: _, ...file } = stored(f.voice, 'voice');
      return sent(p, { voice: { ...file, duration: 1 }, ...caption(p) });
    },
    sendAudio: (p, f) => {
      const { file_path: _, ...file } = stored(f.audio, 'music');
      return sent(p, { audio: { ...file, duration: 1, file_name: f.audio?.fileName ?? 'audio' }, ...caption(p) });
    },
    sendVideo: (p, f) => {
      const { file_path: _, ...file } = stored(f.video, 'videos');
      return sent(p, { video: { ...file, width: 640, height: 480, duration: 1, file_name: f.video?.fileName ?? 'video' }, ...caption(p) });
    },
    // @see https://core.telegram.org/bots/api#getfile; unknown id: "invalid file_id" as in
    // https://github.com/tdlib/telegram-bot-api/blob/master/telegram-bot-api/Client.cpp
    getFile: (p) => {
      const file = files.get(String(p.file_id));
      if (file === undefined) return errorReply(400, 'Bad Request: invalid file_id');
      return { file_id: file.fileId, file_unique_id: `u-${file.fileId}`, file_size: file.data.length, file_path: file.path } satisfies File;
    },
  };

  /**
   * "If the bot is using getUpdates, will return an object with the url field empty"; the optional
   * fields appear only when they have a value (max_connections defaults to 40 in setWebhook).
   * @see https://core.telegram.org/bots/api#getwebhookinfo
   * @see https://core.telegram.org/bots/api#webhookinfo
   */
  function webhookInfo(): WebhookInfo {
    const base = { url: webhook?.url ?? '', has_custom_certificate: false, pending_update_count: queue.length };
    if (webhook === undefined) return base;
    const { allowed_updates: allowed, max_connections: max } = webhook.params;
    return {
      ...base,
      max_connections: max === undefined ? 40 : Number(max),
      // The fake keeps what the client sent; a real Telegram would have refused an unknown kind.
      ...(Array.isArray(allowed) ? { allowed_updates: allowed as NonNullable<WebhookInfo['allowed_updates']> } : {}),
      ...(webhookError === undefined ? {} : { last_error_date: webhookError.date, last_error_message: webhookError.message }),
    };
  }

  function serveUpdates(params: Record<string, unknown>, res: http.ServerResponse): boolean {
    const offset = Number(params.offset ?? 0);
    if (offset > confirmedBelow) confirmedBelow = offset;
    while (queue.length > 0 && (queue[0]?.update_id ?? 0) < offset) queue.shift();
    if (queue.length === 0) return false;
    send(res, 200, { ok: true, result: queue.slice(0, Number(params.limit ?? 100)) });
    return true;
  }

  function getUpdates(params: Record<string, unknown>, res: http.ServerResponse): void {
    // @see https://core.telegram.org/bots/api#getupdates ("will not work if an outgoing webhook is set up")
    if (webhook !== undefined) {
      return send(
        res,
        409,
        errorBody(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"),
      );
    }
    if (serveUpdates(params, res)) return notify();
    const timer = setTimeout(
      () => {
        parked.delete(wake);
        send(res, 200, { ok: true, result: [] });
      },
      Number(params.timeout ?? 0) * 1000,
    );
    const wake = (): boolean => {
      if (!serveUpdates(params, res)) return false;
      clearTimeout(timer);
      parked.delete(wake);
      return true;
    };
    parked.add(wake);
    // Not req.on('close'): on Node >= 16 that fires once the body is read, not when the client leaves.
    res.on('close', () => {
      clearTimeout(timer);
      parked.delete(wake);
    });
    notify();
  }

  async function onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const match = /^\/(bot|file\/bot)([^/]+)\/(.+)$/.exec(url.pathname);
    if (match === null) return send(res, 404, errorBody(404, 'Not Found'));
    const [, kind, token, rest = ''] = match;
    const method = kind === 'file/bot' ? 'downloadFile' : rest;
    const body = await readBody(req);
    const { params, files: uploads } = kind === 'file/bot' ? { params: { file_path: rest }, files: {} } : parseParams(req, url, body);
    calls.push({ method, params, files: uploads });
    if (options.token !== undefined && token !== options.token) {
      notify();
      return send(res, 401, errorBody(401, 'Unauthorized: invalid token specified'));
    }
    const failure = failures.get(method)?.shift();
    if (failure !== undefined) {
      notify();
      if (failure === 'network') return void req.socket.destroy();
      return send(res, failure.status, failure.body);
    }
    if (method === 'downloadFile') {
      notify();
      const file = [...files.values()].find((f) => f.path === rest);
      if (file === undefined) return send(res, 404, errorBody(404, 'Not Found'));
      res.writeHead(200, { 'content-type': file.contentType ?? 'application/octet-stream', 'content-length': file.data.length });
      return void res.end(file.data);
    }
    if (method === 'getUpdates') return getUpdates(params, res);
    notify();
    const handler = handlers[method];
    if (handler === undefined) return send(res, 404, errorBody(404, 'Not Found'));
    const result = handler(params, uploads);
    if (result instanceof ErrorReply) return send(res, result.status, errorBody(result.status, result.description));
    send(res, 200, { ok: true, result });
  }

  const server = http.createServer((req, res) => {
    onRequest(req, res).catch((error: unknown) => send(res, 500, errorBody(500, `Internal Server Error: ${String(error)}`)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const waitUntil = <T>(check: () => T | undefined, timeoutMs: number, what: () => string): Promise<T> =>
    new Promise((resolve, reject) => {
      const listener = () => {
        const value = check();
        if (value === undefined) return;
        listeners.delete(listener);
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        listeners.delete(listener);
        reject(new Error(`fake Telegram: timed out waiting for ${what()}`));
      }, timeoutMs);
      listeners.add(listener);
      listener();
    });

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    botInfo,
    calls,
    get webhook() {
      return webhook;
    },
    presetWebhook(url, params = {}) {
      webhook = { url, params: { ...params, url } };
    },
    failWebhookDelivery(message, unixSeconds = Math.floor(Date.now() / 1000)) {
      webhookError = { date: unixSeconds, message };
    },
    callsOf: (method) => calls.filter((call) => call.method === method),
    pushUpdate(input) {
      const update = { ...input, update_id: input.update_id ?? nextUpdateId } as Update;
      nextUpdateId = Math.max(nextUpdateId, update.update_id) + 1;
      queue.push(update);
      for (const wake of [...parked]) if (wake()) break;
      return update;
    },
    waitForConfirmed: (updateId, timeoutMs = 5000) =>
      waitUntil(
        () => (confirmedBelow > updateId ? true : undefined),
        timeoutMs,
        () => `getUpdates with offset > ${updateId}`,
      ).then(() => undefined),
    waitFor: (method, count = 1, timeoutMs = 5000) =>
      waitUntil(
        () => {
          const found = calls.filter((call) => call.method === method);
          return found.length >= count ? found : undefined;
        },
        timeoutMs,
        () => `${count} × ${method} (saw: ${calls.map((c) => c.method).join(', ') || 'nothing'})`,
      ),
    addFile,
    failNext(method, reply, times = 1) {
      failures.set(method, [...(failures.get(method) ?? []), ...Array.from({ length: times }, () => reply)]);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

class ErrorReply {
  constructor(
    readonly status: number,
    readonly description: string,
  ) {}
}

function errorReply(status: number, description: string): ErrorReply {
  return new ErrorReply(status, description);
}

/** @see https://core.telegram.org/bots/api#making-requests */
function errorBody(code: number, description: string) {
  return { ok: false, error_code: code, description };
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Bot API parameters come as a query string, JSON or multipart/form-data. @see https://core.telegram.org/bots/api#making-requests */
function parseParams(
  req: http.IncomingMessage,
  url: URL,
  body: Buffer,
): { params: Record<string, unknown>; files: Record<string, UploadedFile> } {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('application/json') && body.length > 0)
    return { params: { ...params, ...(JSON.parse(body.toString('utf8')) as object) }, files: {} };
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
  if (!type.startsWith('multipart/form-data') || boundary === null) return { params, files: {} };
  const { fields, parts } = parseMultipart(body, boundary[1] ?? boundary[2] ?? '');
  const files: Record<string, UploadedFile> = {};
  for (const [name, value] of Object.entries(fields)) {
    const attached = /^attach:\/\/(.+)$/.exec(value);
    const upload = attached ? parts[attached[1] ?? ''] : undefined;
    if (upload !== undefined) files[name] = upload;
    params[name] = /^[[{]/.test(value) ? (JSON.parse(value) as unknown) : value;
  }
  for (const [name, upload] of Object.entries(parts)) if (!Object.values(files).includes(upload)) files[name] = upload;
  return { params, files };
}

/**
 * Parses multipart/form-data as grammY writes it (`content-disposition:form-data;name="x";filename=y`,
 * no space, unquoted file name), which Node 20's `Response.formData()` rejects. Quoted names work too.
 */
function parseMultipart(body: Buffer, boundary: string): { fields: Record<string, string>; parts: Record<string, UploadedFile> } {
  const delimiter = Buffer.from(`--${boundary}`);
  const fields: Record<string, string> = {};
  const parts: Record<string, UploadedFile> = {};
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const end = body.indexOf(delimiter, start + delimiter.length);
    if (end === -1) break;
    let part = body.subarray(start + delimiter.length, end);
    if (part.subarray(0, 2).toString() === '\r\n') part = part.subarray(2);
    if (part.subarray(-2).toString() === '\r\n') part = part.subarray(0, -2);
    const split = part.indexOf('\r\n\r\n');
    if (split !== -1) {
      const head = part.subarray(0, split).toString('utf8');
      const data = part.subarray(split + 4);
      const name = /(?:^|;)\s*name="([^"]*)"/im.exec(head)?.[1];
      const fileName = /filename=(?:"([^"]*)"|([^\r\n]*))/i.exec(head);
      if (name !== undefined && fileName !== null) parts[name] = { fileName: fileName[1] ?? fileName[2] ?? '', data: Buffer.from(data) };
      else if (name !== undefined) fields[name] = data.toString('utf8');
    }
    start = end;
  }
  return { fields, parts };
}
