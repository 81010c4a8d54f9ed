/**
 * The one small Graph API client of the Meta products: base URL and version from the settings, the
 * product's bearer token, JSON in and out, and Meta's error body mapped to a ChannelError kind
 * (with Retry-After) in one place. Plain fetch, no SDK.
 * @see https://developers.facebook.com/docs/graph-api/overview
 * @see https://developers.facebook.com/docs/graph-api/guides/error-handling
 */
import { ChannelError, displayUrl, networkCause, type ChannelErrorKind } from '../../src/errors.ts';
import type { Platform } from '../../src/messages.ts';

/** One product-specific error code and what it means; consulted before the Graph-wide rules. */
export interface GraphRule {
  readonly code: number;
  /** When set, the rule matches only this `error_subcode` of `code` (Messenger's 10/2018278). */
  readonly subcode?: number;
  readonly kind: ChannelErrorKind;
  /** What happened and, for an admin, what to do. */
  readonly say: string;
  /** How long to wait before retrying when Meta sends no Retry-After (rate limits only). */
  readonly retryAfterMs?: number;
}

export interface GraphClientOptions {
  readonly platform: Platform;
  readonly graphUrl: string;
  readonly graphVersion: string;
  readonly token: string;
  /** The variable that holds the token: named when Meta refuses it. */
  readonly tokenSetting: string;
  readonly rules: readonly GraphRule[];
  /** The variable that holds `graphUrl`, named when it cannot be reached; default META_GRAPH_URL. */
  readonly urlSetting?: string;
  /** Per call; default 30 s. */
  readonly timeoutMs?: number;
}

export interface GraphClient {
  /** GET `/<version>/<path>`; resolves with the JSON answer. */
  get(path: string, query?: Readonly<Record<string, string>>): Promise<unknown>;
  /** POST `/<version>/<path>` with a JSON body, or multipart when `body` is FormData. */
  post(path: string, body: unknown): Promise<unknown>;
  /** GET an absolute URL Meta returned (a media URL) with the same bearer token. */
  download(url: string): Promise<{ readonly data: Uint8Array; readonly mimeType?: string }>;
  /** Where calls go, for messages: `<graphUrl>/<version>/`. */
  readonly base: string;
}

/** Meta's error body. @see https://developers.facebook.com/docs/graph-api/guides/error-handling#receiving-errorcodes */
interface GraphErrorBody {
  readonly message?: string;
  readonly type?: string;
  readonly code?: number;
  readonly error_subcode?: number;
  readonly error_data?: { readonly details?: string };
  readonly fbtrace_id?: string;
}

/** Without Retry-After, a throttled call waits this long. */
const DEFAULT_THROTTLE_MS = 30_000;

/**
 * Graph-wide codes. @see https://developers.facebook.com/docs/graph-api/guides/error-handling#errorcodes
 * (1 API unknown and 2 API service: "temporary issue", retry; 4 application request limit; 17 user
 * request limit; 32 page request limit; 613 calls exceeded the rate limit; 190 access token expired
 * or invalid; 102 API session). 80007: the WhatsApp Business Account's rate limit
 * (https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes).
 */
function sharedRules(tokenSetting: string): readonly GraphRule[] {
  const auth = `Meta rejected the access token: set ${tokenSetting} to a valid token`;
  return [
    { code: 190, kind: 'auth', say: auth },
    { code: 102, kind: 'auth', say: auth },
    { code: 4, kind: 'rate_limited', say: 'Meta throttled the app (too many calls)' },
    { code: 17, kind: 'rate_limited', say: 'Meta throttled the account (too many calls)' },
    { code: 32, kind: 'rate_limited', say: 'Meta throttled the account (too many calls)' },
    { code: 613, kind: 'rate_limited', say: 'Meta throttled the calls (rate limit)' },
    { code: 80007, kind: 'rate_limited', say: "Meta throttled the business account's calls (rate limit)" },
    { code: 1, kind: 'transient', say: 'Meta had a temporary problem' },
    { code: 2, kind: 'transient', say: 'Meta had a temporary problem' },
  ];
}

export function createGraphClient(options: GraphClientOptions): GraphClient {
  const base = `${options.graphUrl}/${options.graphVersion}/`;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const rules = [...options.rules, ...sharedRules(options.tokenSetting)];
  const name =
    options.platform === 'whatsapp'
      ? 'WhatsApp'
      : options.platform === 'instagram'
        ? 'Instagram'
        : options.platform === 'messenger'
          ? 'Messenger'
          : 'Meta';

  async function call(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${options.token}` },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const cause = networkCause(error) ?? 'network error';
      throw new ChannelError(
        options.platform,
        'transient',
        `could not reach the Graph API at ${displayUrl(options.graphUrl)}: ${cause} — a network problem (proxy, DNS, firewall), not a bad token; check ${options.urlSetting ?? 'META_GRAPH_URL'} and this host's network`,
        {},
        { cause: error },
      );
    }
  }

  async function json(response: Response): Promise<unknown> {
    const text = await response.text();
    let body: unknown;
    try {
      body = text === '' ? {} : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (response.ok && body !== undefined) return body;
    throw toGraphError({
      platform: options.platform,
      name,
      status: response.status,
      body,
      retryAfter: response.headers.get('retry-after'),
      rules,
    });
  }

  return {
    base,
    async get(path, query = {}) {
      const search = new URLSearchParams(query).toString();
      return json(await call(`${base}${path}${search ? `?${search}` : ''}`, { method: 'GET' }));
    },
    async post(path, body) {
      const init: RequestInit =
        body instanceof FormData
          ? { method: 'POST', body }
          : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
      return json(await call(`${base}${path}`, init));
    },
    async download(url) {
      const response = await call(url, { method: 'GET' });
      if (!response.ok) {
        const kind: ChannelErrorKind =
          response.status === 429 ? 'rate_limited' : response.status >= 500 ? 'transient' : response.status === 401 ? 'auth' : 'rejected';
        throw new ChannelError(options.platform, kind, `${name} refused the media download (HTTP ${response.status})`, {
          platformCode: response.status,
          ...(kind === 'rate_limited' ? { retryAfterMs: retryAfterMs(response.headers.get('retry-after')) ?? DEFAULT_THROTTLE_MS } : {}),
        });
      }
      const mimeType = response.headers.get('content-type') ?? undefined;
      return { data: new Uint8Array(await response.arrayBuffer()), ...(mimeType ? { mimeType } : {}) };
    },
  };
}

/** Maps a failed Graph answer to a ChannelError: the code's rule first, then the HTTP status. */
export function toGraphError(input: {
  readonly platform: Platform;
  readonly name: string;
  readonly status: number;
  readonly body: unknown;
  readonly retryAfter: string | null;
  readonly rules: readonly GraphRule[];
}): ChannelError {
  const error = errorOf(input.body);
  const code = typeof error?.code === 'number' ? error.code : undefined;
  const subcode = typeof error?.error_subcode === 'number' ? error.error_subcode : undefined;
  const rule =
    code === undefined ? undefined : input.rules.find((r) => r.code === code && (r.subcode === undefined || r.subcode === subcode));
  const kind: ChannelErrorKind = rule?.kind ?? kindOfStatus(input.status);
  const said = error?.message === undefined ? `HTTP ${input.status}` : `${code ?? input.status}: ${error.message}`;
  const waited = retryAfterMs(input.retryAfter) ?? (kind === 'rate_limited' ? (rule?.retryAfterMs ?? DEFAULT_THROTTLE_MS) : undefined);
  return new ChannelError(input.platform, kind, `${rule?.say ?? `${input.name} refused the request`} (${said})`, {
    platformCode: code ?? input.status,
    ...(waited === undefined ? {} : { retryAfterMs: waited }),
  });
}

function kindOfStatus(status: number): ChannelErrorKind {
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'transient';
  if (status === 401) return 'auth';
  return 'rejected';
}

function errorOf(body: unknown): GraphErrorBody | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  return typeof error === 'object' && error !== null ? (error as GraphErrorBody) : undefined;
}

/** Retry-After in seconds (or an HTTP date) → milliseconds. @see https://www.rfc-editor.org/rfc/rfc9110#field.retry-after */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.max(1, seconds) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(1000, date - Date.now());
}
