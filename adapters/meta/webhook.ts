/**
 * The Meta app's one webhook, for WhatsApp, Instagram and Messenger: `GET /webhooks/meta` answers
 * the verification handshake, `POST /webhooks/meta` checks the signature and hands every entry of a
 * (possibly batched) delivery to the product its `object` names. An object no configured product
 * takes, and any field or event kind a product does not handle, is acknowledged with one `warn` the
 * first time (then `debug`): Meta sends the next one the same way, and a 4xx would only make it retry.
 * @see https://developers.facebook.com/docs/graph-api/webhooks/getting-started
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/create-webhook-endpoint
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger, WebhookRequest, WebhookResult, WebhookRoute } from '../../src/channel.ts';
import type { InboundEvent } from '../../src/messages.ts';
import { WEBHOOK_PATH, type MetaSettings } from './config.ts';
import { isValidSignature, SIGNATURE_HEADER } from './signature.ts';

/** What a product made of one `entry`. */
export interface EntryOutcome {
  readonly events: readonly InboundEvent[];
  /** Kinds of traffic it does not handle (`field:account_update`, `message:order`…): logged once each. */
  readonly unknown: readonly string[];
}

/** A product's reading of one entry. Throws only when it cannot decide now (its state is unreachable): the delivery is then not acknowledged. */
export type EntryParser = (entry: unknown) => Promise<EntryOutcome>;

/** Distinct kinds remembered for the once-only warning; past this, every further one is debug. */
const MAX_WARNED = 100;

/**
 * The two routes. `parsers` maps a webhook `object` (`whatsapp_business_account`, `instagram`,
 * `page`) to the configured product that reads its entries.
 */
export function createMetaWebhook(options: {
  readonly settings: MetaSettings;
  readonly parsers: ReadonlyMap<string, EntryParser>;
  readonly logger: Logger;
}): WebhookRoute[] {
  const { settings, parsers, logger: log } = options;
  const warned = new Set<string>();
  const warnOnce = (kind: string, fields: Record<string, unknown>, message: string) => {
    if (warned.has(kind) || warned.size >= MAX_WARNED) return log.debug({ kind, ...fields }, message);
    warned.add(kind);
    log.warn({ kind, ...fields, hint: 'acknowledged and skipped; only the first of each kind is logged at warn' }, message);
  };

  /**
   * `hub.mode=subscribe` and `hub.verify_token` equal to META_VERIFY_TOKEN → 200 with the raw
   * `hub.challenge`; anything else → 403.
   * @see https://developers.facebook.com/docs/graph-api/webhooks/getting-started#verification-requests
   */
  async function verify(request: WebhookRequest): Promise<WebhookResult> {
    const mode = request.query.get('hub.mode');
    const token = request.query.get('hub.verify_token');
    const challenge = request.query.get('hub.challenge');
    if (mode !== 'subscribe' || !sameSecret(token, settings.verifyToken) || challenge === null) {
      return {
        status: 403,
        reason: 'webhook verification refused: hub.mode is not subscribe, or hub.verify_token is not META_VERIFY_TOKEN',
      };
    }
    log.info('Meta webhook verified');
    return { status: 200, events: [], body: challenge, contentType: 'text/plain; charset=utf-8' };
  }

  /** @see https://developers.facebook.com/docs/graph-api/webhooks/getting-started#event-notifications */
  async function receive(request: WebhookRequest): Promise<WebhookResult> {
    if (!isValidSignature(request.rawBody, request.headers.get(SIGNATURE_HEADER), settings.appSecret)) {
      return { status: 401, reason: 'missing or wrong X-Hub-Signature-256 (HMAC-SHA256 of the body with META_APP_SECRET)' };
    }
    let body: unknown;
    try {
      body = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      return { status: 400, reason: 'body is not JSON' };
    }
    const envelope = body as { object?: unknown; entry?: unknown };
    if (typeof body !== 'object' || body === null || typeof envelope.object !== 'string' || !Array.isArray(envelope.entry)) {
      return { status: 400, reason: 'body is not a Meta webhook notification (object and entry[])' };
    }
    const parse = parsers.get(envelope.object);
    if (parse === undefined) {
      warnOnce(`object:${envelope.object}`, { entries: envelope.entry.length }, 'Meta webhook for a product that is not configured');
      return { status: 200, events: [] };
    }
    const events: InboundEvent[] = [];
    for (const entry of envelope.entry as unknown[]) {
      const outcome = await parse(entry);
      events.push(...outcome.events);
      for (const kind of outcome.unknown) warnOnce(kind, { object: envelope.object }, 'Meta webhook traffic Threadline does not handle');
    }
    return { status: 200, events };
  }

  return [
    { method: 'GET', path: WEBHOOK_PATH, handle: verify },
    { method: 'POST', path: WEBHOOK_PATH, handle: receive },
  ];
}

/** Constant-time comparison; hashing first gives equal-length buffers whatever was sent. */
function sameSecret(given: string | null, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return given !== null && timingSafeEqual(digest(given), digest(expected));
}
