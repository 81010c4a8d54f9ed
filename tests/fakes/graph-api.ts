/**
 * A fake Meta Graph API on 127.0.0.1:<random port>, for the WhatsApp Cloud API calls Threadline
 * makes: the phone number lookup, sending messages, uploading media, and the two-step media
 * download. Point META_GRAPH_URL at `graphUrl`. Every call needs `Authorization: Bearer <token>`;
 * another token gets Graph's 190 error.
 *
 *   const graph = await startFakeGraphApi({ token: 'EAAG…', phoneNumberId: '106540352242922' });
 *   graph.addMedia('1234', { data, mimeType: 'image/jpeg' });
 *   graph.failNext('messages', { status: 400, body: reengagement });
 *   graph.callsOf('messages');   // [{ method, path, body }]
 *
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/text-messages
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/business-phone-numbers/media
 *
 * Messenger and Instagram (`phoneNumberId` omitted or not): `GET /me`, `POST /me/messages` (answered
 * `{ recipient_id, message_id: 'm_FAKE0001' }`), `GET /<PSID|IGSID>` for a profile added with
 * `addProfile`, and attachment URLs on Meta's CDN, served without a token at `cdnUrl(name)`.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/send-api
 * @see https://developers.facebook.com/docs/messenger-platform/identity/user-profile
 *
 * Catalogs (WhatsApp product inquiries): `GET /<catalog_id>/products?filter={"retailer_id":{"eq":…}}`
 * answers `{ data: [{ name, id }] }` for a product added with `addProduct`, `{ data: [] }` otherwise.
 * @see https://developers.facebook.com/docs/marketing-api/reference/product-catalog/products
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyOf } from '../support/request-body.ts';

export type GraphEndpoint =
  | 'phone'
  | 'messages'
  | 'media-upload'
  | 'media'
  | 'download'
  | 'me'
  | 'profile'
  | 'cdn'
  | 'subscribed-apps'
  | 'catalog-products';

export interface GraphCall {
  readonly endpoint: GraphEndpoint;
  readonly method: string;
  readonly path: string;
  /** JSON body, or the multipart text fields (`file` as its name and size). */
  readonly body: Readonly<Record<string, unknown>>;
}

export interface GraphFailure {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface FakeGraphApi {
  readonly graphUrl: string;
  readonly calls: readonly GraphCall[];
  callsOf(endpoint: GraphEndpoint): GraphCall[];
  addMedia(id: string, file: { readonly data: Uint8Array; readonly mimeType: string }): void;
  /** Serves `file` without a token at the returned URL, as Meta's CDN serves webhook attachments. */
  addCdnFile(name: string, file: { readonly data: Uint8Array; readonly mimeType: string }): string;
  /** A product of a catalog, found by `GET /<catalog_id>/products` filtered on its retailer id. */
  addProduct(catalogId: string, retailerId: string, name: string): void;
  /** What `GET /<id>` answers for a Messenger or Instagram user. */
  addProfile(id: string, profile: Readonly<Record<string, unknown>>): void;
  /** The next call to `endpoint` fails this way; `network` drops the connection. */
  failNext(endpoint: GraphEndpoint, failure: GraphFailure | 'network'): void;
  close(): Promise<void>;
}

/** Graph's answer to a token it does not accept. @see https://developers.facebook.com/docs/graph-api/guides/error-handling */
export const invalidToken = {
  error: {
    message: 'Invalid OAuth access token - Cannot parse access token',
    type: 'OAuthException',
    code: 190,
    fbtrace_id: 'AWo3qB1rT2h',
  },
};

export async function startFakeGraphApi(options: {
  readonly token: string;
  readonly phoneNumberId?: string;
  readonly version?: string;
  /** What `GET /me` answers (Messenger: the Page; Instagram: the professional account). */
  readonly me?: Readonly<Record<string, unknown>>;
  /** The fields `GET /me/subscribed_apps` lists for the app (default `messages`). @see https://developers.facebook.com/docs/graph-api/reference/page/subscribed_apps/ */
  readonly subscribedFields?: readonly string[];
}): Promise<FakeGraphApi> {
  const version = options.version ?? 'v26.0';
  const calls: GraphCall[] = [];
  const media = new Map<string, { data: Uint8Array; mimeType: string }>();
  const cdn = new Map<string, { data: Uint8Array; mimeType: string }>();
  const profiles = new Map<string, Readonly<Record<string, unknown>>>();
  const products = new Map<string, { id: string; name: string }>();
  const failures = new Map<GraphEndpoint, (GraphFailure | 'network')[]>();
  let sent = 0;
  let uploaded = 0;
  let graphUrl = '';

  const server = http.createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    const endpoint = endpointOf(request.method ?? 'GET', url.pathname);
    if (endpoint === undefined) return reply(404, { error: { message: 'Unknown path components', type: 'OAuthException', code: 2500 } });
    const body = await bodyOf(request.headers['content-type'] ?? '', raw);
    calls.push({ endpoint, method: request.method ?? 'GET', path: `${url.pathname}${url.search}`, body });
    if (endpoint === 'cdn') {
      const file = cdn.get(url.pathname.split('/').pop() ?? '');
      if (file === undefined) return reply(404, {});
      response.writeHead(200, { 'content-type': file.mimeType }).end(Buffer.from(file.data));
      return;
    }
    if (request.headers.authorization !== `Bearer ${options.token}`) return reply(401, invalidToken);
    const failure = failures.get(endpoint)?.shift();
    if (failure === 'network') return request.socket.destroy();
    if (failure !== undefined) return reply(failure.status, failure.body ?? {}, { ...failure.headers });
    switch (endpoint) {
      case 'phone':
        return reply(200, { display_phone_number: '15550783881', verified_name: 'Threadline Test', id: options.phoneNumberId });
      case 'me':
        return reply(200, options.me ?? { id: '0' });
      case 'subscribed-apps':
        return reply(200, {
          data: [
            {
              name: 'Threadline',
              id: '1517776481860111',
              subscribed_fields: options.subscribedFields ?? ['messages'],
            },
          ],
        });
      case 'profile':
        return reply(200, profiles.get(url.pathname.split('/').pop() ?? '') ?? {});
      case 'catalog-products': {
        const catalogId = url.pathname.split('/')[2] ?? '';
        let retailerId: unknown;
        try {
          retailerId = (JSON.parse(url.searchParams.get('filter') ?? '{}') as { retailer_id?: { eq?: unknown } }).retailer_id?.eq;
        } catch {
          return reply(400, { error: { message: 'Invalid parameter', type: 'OAuthException', code: 100 } });
        }
        const product = products.get(`${catalogId}/${String(retailerId)}`);
        return reply(200, { data: product === undefined ? [] : [product], paging: { cursors: { before: 'QVFI', after: 'QVFI' } } });
      }
      case 'messages': {
        sent += 1;
        if (url.pathname.endsWith('/me/messages')) {
          const recipient = (body.recipient as { id?: unknown } | undefined)?.id;
          return reply(200, { recipient_id: recipient, message_id: `m_FAKE${String(sent).padStart(4, '0')}` });
        }
        const to = String(body.to ?? '');
        return reply(200, {
          messaging_product: 'whatsapp',
          contacts: [{ input: to, wa_id: to }],
          messages: [{ id: `wamid.FAKE${String(sent).padStart(4, '0')}` }],
        });
      }
      case 'media-upload':
        uploaded += 1;
        return reply(200, { id: `${9000 + uploaded}` });
      case 'media': {
        const id = url.pathname.split('/').pop() ?? '';
        const file = media.get(id);
        if (file === undefined) return reply(400, { error: { message: 'Invalid parameter', type: 'OAuthException', code: 100 } });
        return reply(200, {
          messaging_product: 'whatsapp',
          url: `${graphUrl}/download/${id}`,
          mime_type: file.mimeType,
          sha256: 'fake',
          file_size: String(file.data.byteLength),
          id,
        });
      }
      case 'download': {
        const file = media.get(url.pathname.split('/').pop() ?? '');
        if (file === undefined) return reply(404, {});
        response.writeHead(200, { 'content-type': file.mimeType }).end(Buffer.from(file.data));
        return;
      }
    }
  });

  function endpointOf(method: string, path: string): GraphEndpoint | undefined {
    if (method === 'GET' && path.startsWith('/download/')) return 'download';
    if (method === 'GET' && path.startsWith('/cdn/')) return 'cdn';
    const prefix = `/${version}/`;
    if (!path.startsWith(prefix)) return undefined;
    const rest = path.slice(prefix.length).split('/');
    if (method === 'GET' && rest.length === 1 && rest[0] === options.phoneNumberId) return 'phone';
    if (method === 'GET' && rest.length === 1 && rest[0] === 'me') return 'me';
    if (method === 'GET' && rest.length === 1 && profiles.has(rest[0] ?? '')) return 'profile';
    if (method === 'POST' && rest[0] === 'me' && rest[1] === 'messages') return 'messages';
    if (method === 'GET' && rest[0] === 'me' && rest[1] === 'subscribed_apps') return 'subscribed-apps';
    if (method === 'GET' && rest.length === 2 && rest[1] === 'products') return 'catalog-products';
    if (method === 'GET' && rest.length === 1) return 'media';
    if (method === 'POST' && rest[0] === options.phoneNumberId && rest[1] === 'messages') return 'messages';
    if (method === 'POST' && rest[0] === options.phoneNumberId && rest[1] === 'media') return 'media-upload';
    return undefined;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  graphUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    graphUrl,
    calls,
    callsOf: (endpoint) => calls.filter((c) => c.endpoint === endpoint),
    addMedia: (id, file) => void media.set(id, { data: file.data, mimeType: file.mimeType }),
    addCdnFile: (name, file) => {
      cdn.set(name, { data: file.data, mimeType: file.mimeType });
      return `${graphUrl}/cdn/${name}`;
    },
    addProfile: (id, profile) => void profiles.set(id, profile),
    addProduct: (catalogId, retailerId, name) => void products.set(`${catalogId}/${retailerId}`, { id: `${8000 + products.size}`, name }),
    failNext: (endpoint, failure) => void failures.set(endpoint, [...(failures.get(endpoint) ?? []), failure]),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
