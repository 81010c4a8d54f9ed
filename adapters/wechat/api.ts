/**
 * The small WeChat API client: `WECHAT_API_ROOT` for every call, the access token as the
 * `access_token` query parameter, JSON answers checked for `errcode`, and one renewal and retry
 * when WeChat says the token is stale (40001/42001/40014). Plain fetch, no SDK.
 * @see https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html
 */
import type { AdapterState } from '../../src/channel.ts';
import { STALE_TOKEN_CODES, toChannelError, toHttpError, toNetworkError } from './errors.ts';
import { createTokenSource, type TokenSource } from './token.ts';

export interface WeChatApi {
  /** POST JSON (or multipart when `body` is FormData) to `/cgi-bin/<path>`; resolves with the JSON answer. */
  post(path: string, body: unknown, query?: Readonly<Record<string, string>>): Promise<Record<string, unknown>>;
  /** GET `/cgi-bin/<path>`: the raw response when it is not JSON (a media file), else the checked JSON answer. */
  get(path: string, query?: Readonly<Record<string, string>>): Promise<Response | Record<string, unknown>>;
  /** GET any URL WeChat gave (a video's download URL), without the token. */
  download(url: string): Promise<Response>;
  readonly tokens: TokenSource;
  /** One `stable_token` call without force_refresh (changes nothing): whether WeChat accepts the AppID and AppSecret from here. */
  checkCredentials(): Promise<void>;
}

export function createWeChatApi(options: {
  readonly apiRoot: string;
  readonly appId: string;
  readonly appSecret: string;
  readonly state: AdapterState;
  readonly now: () => number;
  /** Per call; default 30 s. */
  readonly timeoutMs?: number;
}): WeChatApi {
  const timeoutMs = options.timeoutMs ?? 30_000;

  async function call(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw toNetworkError(options.apiRoot, error);
    }
  }

  async function checked(response: Response): Promise<Record<string, unknown>> {
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw toHttpError(response.ok ? 502 : response.status);
    const answer = body as Record<string, unknown>;
    const errcode = typeof answer.errcode === 'number' ? answer.errcode : 0;
    if (errcode !== 0) throw toChannelError(errcode, typeof answer.errmsg === 'string' ? answer.errmsg : '');
    if (!response.ok) throw toHttpError(response.status);
    return answer;
  }

  const url = (path: string, query: Readonly<Record<string, string>>) => `${options.apiRoot}/cgi-bin/${path}?${new URLSearchParams(query)}`;

  /**
   * `stable_token`: POST with the AppID and AppSecret in the body (never in a URL).
   * @see https://developers.weixin.qq.com/doc/service/api/base/api_getstableaccesstoken
   */
  async function fetchToken(forceRefresh: boolean) {
    const answer = await checked(
      await call(`${options.apiRoot}/cgi-bin/stable_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          grant_type: 'client_credential',
          appid: options.appId,
          secret: options.appSecret,
          force_refresh: forceRefresh,
        }),
      }),
    );
    if (typeof answer.access_token !== 'string' || typeof answer.expires_in !== 'number') throw toHttpError(502);
    return { accessToken: answer.access_token, expiresInSeconds: answer.expires_in };
  }
  const tokens = createTokenSource({ state: options.state, now: options.now, fetchToken });

  /** Runs `attempt` with the current token; once more with a renewed one when WeChat calls the token stale. */
  async function withToken<T>(attempt: (token: string) => Promise<T>): Promise<T> {
    const token = await tokens.current();
    try {
      return await attempt(token);
    } catch (error) {
      const code = (error as { detail?: { platformCode?: unknown } }).detail?.platformCode;
      if (typeof code !== 'number' || !STALE_TOKEN_CODES.has(code)) throw error;
      return attempt(await tokens.renewAfterRefusal(token));
    }
  }

  return {
    tokens,
    checkCredentials: async () => void (await fetchToken(false)),
    post: (path, body, query = {}) =>
      withToken(async (token) => {
        const init: RequestInit =
          body instanceof FormData
            ? { method: 'POST', body }
            : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
        return checked(await call(url(path, { ...query, access_token: token }), init));
      }),
    get: (path, query = {}) =>
      withToken(async (token) => {
        const response = await call(url(path, { ...query, access_token: token }), { method: 'GET' });
        const type = response.headers.get('content-type') ?? '';
        // Errors (and a video's download URL) come as JSON; a file as itself.
        if (type.includes('json') || type.startsWith('text/plain')) return checked(response);
        if (!response.ok) throw toHttpError(response.status);
        return response;
      }),
    download: (target) => call(target, { method: 'GET' }),
  };
}
