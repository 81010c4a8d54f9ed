/**
 * What the three Meta products' tests share: the app's test secrets, a delivery signed as Meta
 * signs it, the verification handshake, and the routes of the shared /webhooks/meta.
 * @see https://developers.facebook.com/docs/graph-api/webhooks/getting-started
 */
import type { WebhookRoute } from '../../src/channel.ts';
import { webhookRequest } from '../contract/channel-contract.ts';
import { metaBody, signMeta } from './meta-signing.ts';

export const APP_SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
export const VERIFY_TOKEN = 'threadline-verify-4f1c';

/** A delivery as Meta posts it, signed with `secret` (default: the App Secret); `null` leaves the header out. */
export function metaRequest(payload: unknown, secret: string | null = APP_SECRET) {
  const body = metaBody(payload);
  return webhookRequest(body, {
    'content-type': 'application/json',
    ...(secret === null ? {} : { 'X-Hub-Signature-256': signMeta(secret, body) }),
  });
}

/** The verification request Meta sends when the webhook is set up, with `token` as hub.verify_token. */
export function handshakeRequest(token: string) {
  return webhookRequest(
    '',
    {},
    new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.challenge': '1158201444', 'hub.verify_token': token }).toString(),
  );
}

/** The handler of the shared route `method /webhooks/meta` among `routes`; throws when there is none. */
export function metaRoute(routes: readonly WebhookRoute[], method: 'GET' | 'POST'): WebhookRoute['handle'] {
  const found = routes.find((r) => r.method === method && r.path === '/webhooks/meta');
  if (found === undefined) throw new Error(`no ${method} /webhooks/meta`);
  return found.handle;
}

/** POSTs `payload` to a running service's /webhooks/meta, signed as Meta signs it; resolves with the status. */
export async function postMeta(service: { readonly baseUrl: string }, payload: unknown, secret = APP_SECRET): Promise<number> {
  const body = metaBody(payload);
  const response = await fetch(`${service.baseUrl}/webhooks/meta`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMeta(secret, body) },
    body,
  });
  return response.status;
}
