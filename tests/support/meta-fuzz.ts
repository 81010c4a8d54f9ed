/**
 * The fuzz of the shared Meta webhook (contract check 16) for one product's documented deliveries:
 * POST is signed over the exact bytes with the App Secret; GET is the verification handshake, whose
 * verify token travels in the query (so every variant counts as authenticated; a wrong token is a 403).
 * @see https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads
 * @see https://developers.facebook.com/docs/graph-api/webhooks/getting-started#verification-requests
 */
import type { RouteFuzz } from '../contract/channel-contract.ts';
import type { FuzzSample, Json } from '../fuzz/webhook-fuzz.ts';
import { signMeta } from './meta-signing.ts';

/** Documented notifications, named, as fuzz samples. */
export function metaSamples(notifications: Readonly<Record<string, unknown>>): FuzzSample[] {
  return Object.entries(notifications).map(([name, value]) => ({ name, encoding: 'json', value: value as Json }));
}

export function metaWebhookFuzz(
  samples: readonly FuzzSample[],
  appSecret: string,
  verifyToken: string,
): Readonly<Record<string, RouteFuzz>> {
  return {
    'POST /webhooks/meta': {
      samples: [...samples],
      auth: { headers: (rawBody) => ({ 'X-Hub-Signature-256': signMeta(appSecret, Buffer.from(rawBody)) }) },
    },
    'GET /webhooks/meta': {
      samples: [
        {
          name: 'handshake',
          encoding: 'form',
          value: { 'hub.mode': 'subscribe', 'hub.challenge': '1158201444', 'hub.verify_token': verifyToken },
        },
      ],
      auth: { headers: () => ({}) },
    },
  };
}
