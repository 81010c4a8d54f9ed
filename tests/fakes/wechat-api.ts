/**
 * A fake WeChat API on 127.0.0.1:<random port>, for the calls Threadline makes: `stable_token`,
 * `message/custom/send`, temporary media upload (`media/upload`) and download (`media/get`, a
 * video as a JSON `video_url`). Point WECHAT_API_ROOT at `apiRoot`. Calls need the current
 * `access_token`; an older one gets 40001, none 41001. A forced `stable_token` issues a new token
 * (the old one stops working); an unforced one returns the current token while it is valid.
 *
 *   const wechat = await startFakeWeChatApi({ appId, appSecret });
 *   wechat.addMedia('MEDIA_ID', { data, mimeType: 'image/jpeg' });
 *   wechat.failNext('send', outOfTimeLimit);      // a WeChat errcode answer
 *   wechat.callsOf('send');                       // [{ endpoint, method, path, query, body }]
 *
 * @see https://developers.weixin.qq.com/doc/service/api/base/api_getstableaccesstoken
 * @see https://developers.weixin.qq.com/doc/service/en/api/customer/message/api_sendcustommessage
 * @see https://developers.weixin.qq.com/doc/offiaccount/Asset_Management/New_temporary_materials.html
 * @see https://developers.weixin.qq.com/doc/offiaccount/Asset_Management/Get_temporary_materials.html
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyOf } from '../support/request-body.ts';
import type { WeChatError } from '../fixtures/wechat/api-errors.ts';

export type WeChatEndpoint = 'token' | 'send' | 'upload' | 'media' | 'video';

export interface WeChatCall {
  readonly endpoint: WeChatEndpoint;
  readonly method: string;
  readonly path: string;
  /** Query parameters, `access_token` included. */
  readonly query: Readonly<Record<string, string>>;
  /** JSON body, or the multipart fields (`media` as its name, size and type). */
  readonly body: Readonly<Record<string, unknown>>;
}

/** A WeChat errcode answer (HTTP 200, as WeChat sends them), an HTTP failure, or a dropped connection. */
export type WeChatFailure = WeChatError | { readonly status: number; readonly body?: string } | 'network';

export interface FakeWeChatApi {
  readonly apiRoot: string;
  /** The token valid now (undefined before the first stable_token call). */
  readonly accessToken: string | undefined;
  /** Every token issued so far. */
  readonly issuedTokens: readonly string[];
  readonly calls: readonly WeChatCall[];
  callsOf(endpoint: WeChatEndpoint): WeChatCall[];
  addMedia(id: string, file: { readonly data: Uint8Array; readonly mimeType: string }): void;
  /** The next call to `endpoint` fails this way. */
  failNext(endpoint: WeChatEndpoint, failure: WeChatFailure): void;
  /** WeChat answers the next call using the current token with `error` (42001 expired, 40014…) and issues a new token on the next stable_token. */
  expireToken(error: WeChatError): void;
  close(): Promise<void>;
}

const TOKEN_TTL_SECONDS = 7200;

export async function startFakeWeChatApi(options: {
  readonly appId: string;
  readonly appSecret: string;
  /** How long stable_token takes to answer (to let two instances race for a renewal); default 0. */
  readonly tokenDelayMs?: number;
}): Promise<FakeWeChatApi> {
  const calls: WeChatCall[] = [];
  const media = new Map<string, { data: Uint8Array; mimeType: string }>();
  const failures = new Map<WeChatEndpoint, WeChatFailure[]>();
  const issued: string[] = [];
  let current: string | undefined;
  let expired: { token: string; error: WeChatError } | undefined;
  let uploaded = 0;
  let apiRoot = '';

  const server = http.createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const json = (body: unknown, status = 200) =>
      response.writeHead(status, { 'content-type': 'application/json; encoding=utf-8' }).end(JSON.stringify(body));
    const endpoint = endpointOf(request.method ?? 'GET', url.pathname);
    if (endpoint === undefined) return json({ errcode: 48001, errmsg: 'api unauthorized' });
    const query = Object.fromEntries(url.searchParams);
    const body = await bodyOf(request.headers['content-type'] ?? '', raw);
    calls.push({ endpoint, method: request.method ?? 'GET', path: url.pathname, query, body });
    const failure = failures.get(endpoint)?.shift();
    if (failure === 'network') return request.socket.destroy();
    if (failure !== undefined && 'errcode' in failure) return json(failure);
    if (failure !== undefined) return response.writeHead(failure.status, { 'content-type': 'text/html' }).end(failure.body ?? '');

    if (endpoint === 'token') {
      if (options.tokenDelayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.tokenDelayMs));
      if (body.appid !== options.appId) return json({ errcode: 40013, errmsg: 'invalid appid' });
      if (body.secret !== options.appSecret) return json({ errcode: 40125, errmsg: 'invalid appsecret' });
      if (current === undefined || body.force_refresh === true || expired?.token === current) {
        current = `${issued.length + 1}_FakeStableAccessToken${'x'.repeat(24)}`;
        issued.push(current);
        expired = undefined;
      }
      return json({ access_token: current, expires_in: TOKEN_TTL_SECONDS });
    }
    if (endpoint === 'video') {
      const file = media.get(url.pathname.split('/').pop() ?? '');
      if (file === undefined) return response.writeHead(404).end();
      return response.writeHead(200, { 'content-type': file.mimeType }).end(Buffer.from(file.data));
    }
    const token = query.access_token;
    if (token === undefined || token === '') return json({ errcode: 41001, errmsg: 'access_token missing' });
    if (expired !== undefined && token === expired.token) return json(expired.error);
    if (token !== current) return json({ errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' });
    switch (endpoint) {
      case 'send':
        return json({ errcode: 0, errmsg: 'ok' });
      case 'upload': {
        uploaded += 1;
        return json({ type: query.type, media_id: `FAKE_MEDIA_${uploaded}`, created_at: 1764720000 + uploaded });
      }
      case 'media': {
        const id = query.media_id ?? '';
        const file = media.get(id);
        if (file === undefined) return json({ errcode: 40007, errmsg: 'invalid media_id' });
        if (file.mimeType.startsWith('video/')) return json({ video_url: `${apiRoot}/video/${encodeURIComponent(id)}` });
        return response
          .writeHead(200, {
            'content-type': file.mimeType,
            'content-disposition': `attachment; filename="${id}.${file.mimeType.split('/')[1]}"`,
          })
          .end(Buffer.from(file.data));
      }
    }
  });

  function endpointOf(method: string, path: string): WeChatEndpoint | undefined {
    if (method === 'POST' && path === '/cgi-bin/stable_token') return 'token';
    if (method === 'POST' && path === '/cgi-bin/message/custom/send') return 'send';
    if (method === 'POST' && path === '/cgi-bin/media/upload') return 'upload';
    if (method === 'GET' && path === '/cgi-bin/media/get') return 'media';
    if (method === 'GET' && path.startsWith('/video/')) return 'video';
    return undefined;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiRoot,
    get accessToken() {
      return current;
    },
    issuedTokens: issued,
    calls,
    callsOf: (endpoint) => calls.filter((c) => c.endpoint === endpoint),
    addMedia: (id, file) => void media.set(id, { data: file.data, mimeType: file.mimeType }),
    failNext: (endpoint, failure) => void failures.set(endpoint, [...(failures.get(endpoint) ?? []), failure]),
    expireToken: (error) => {
      if (current !== undefined) expired = { token: current, error };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
