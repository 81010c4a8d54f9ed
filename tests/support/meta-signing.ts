/**
 * Signs webhook deliveries as Meta does: `X-Hub-Signature-256: sha256=` + hex HMAC-SHA256 of the
 * raw body with the App Secret. Meta's bodies are compact JSON with non-ASCII escaped as `\uXXXX`
 * and `/` as `\/`; `metaBody` writes them the same way, so tests sign the bytes Meta would send.
 * Source: https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads
 */
import { createHmac } from 'node:crypto';

export function signMeta(secret: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/** A payload serialised as Meta sends it. */
export function metaBody(payload: unknown): string {
  return JSON.stringify(payload)
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replaceAll('/', '\\/');
}
