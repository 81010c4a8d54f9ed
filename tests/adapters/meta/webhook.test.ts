import { describe, expect, it } from 'vitest';
import { isValidSignature, signatureOf } from '../../../adapters/meta/signature.ts';
import { createMetaWebhook } from '../../../adapters/meta/webhook.ts';
import { webhookRequest } from '../../contract/channel-contract.ts';
import { captureLogger } from '../../support/capture-logger.ts';
import { metaBody, signMeta } from '../../support/meta-signing.ts';

const SECRET = 'app-secret-for-the-webhook-test';
const settings = {
  appSecret: SECRET,
  verifyToken: 'verify-me',
  graphUrl: 'https://graph.facebook.com',
  graphVersion: 'v26.0',
  humanAgentTag: false,
};

function setup() {
  const capture = captureLogger();
  const seen: unknown[] = [];
  const routes = createMetaWebhook({
    settings,
    parsers: new Map([
      [
        'whatsapp_business_account',
        async (entry: unknown) => {
          seen.push(entry);
          return { events: [], unknown: [] };
        },
      ],
    ]),
    logger: capture.logger,
  });
  const post = routes.find((r) => r.method === 'POST')!;
  const signed = (payload: unknown) => {
    const body = typeof payload === 'string' ? payload : metaBody(payload);
    return webhookRequest(body, { 'x-hub-signature-256': signMeta(SECRET, body) });
  };
  return { capture, seen, routes, post, signed };
}

describe('the Meta webhook', () => {
  it('serves GET and POST /webhooks/meta', () => {
    expect(setup().routes.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /webhooks/meta', 'POST /webhooks/meta']);
  });

  it('hands every entry of a batched delivery to the product its object names', async () => {
    const { post, signed, seen } = setup();
    const result = await post.handle(
      signed({
        object: 'whatsapp_business_account',
        entry: [
          { id: '1', changes: [] },
          { id: '2', changes: [] },
        ],
      }),
    );
    expect(result).toEqual({ status: 200, events: [] });
    expect(seen).toEqual([
      { id: '1', changes: [] },
      { id: '2', changes: [] },
    ]);
  });

  it('acknowledges an object no configured product takes with one warn line per object', async () => {
    const { post, signed, capture } = setup();
    for (let i = 0; i < 3; i++)
      expect(await post.handle(signed({ object: 'instagram', entry: [{ id: '17841400000000000', time: 1, messaging: [] }] }))).toEqual({
        status: 200,
        events: [],
      });
    expect(await post.handle(signed({ object: 'page', entry: [] }))).toEqual({ status: 200, events: [] });
    const warns = capture
      .entries()
      .filter((e) => e.level === 40)
      .map((e) => (e as { kind?: string }).kind);
    expect(warns).toEqual(['object:instagram', 'object:page']);
  });

  it('answers 400 to a signed body that is not a notification, and 401 to a signature of other bytes', async () => {
    const { post, signed } = setup();
    expect((await post.handle(signed({ object: 'whatsapp_business_account' }))).status).toBe(400);
    expect((await post.handle(signed('[]'))).status).toBe(400);
    const body = metaBody({ object: 'page', entry: [] });
    expect((await post.handle(webhookRequest(body, { 'x-hub-signature-256': signMeta(SECRET, `${body} `) }))).status).toBe(401);
    expect((await post.handle(webhookRequest(body, { 'x-hub-signature-256': 'sha1=abc' }))).status).toBe(401);
  });

  it('checks the signature on the raw bytes, as Meta escapes them', () => {
    const raw = Buffer.from(metaBody({ text: '林美玲 / ok' }));
    expect(raw.toString()).toContain('\\u6797');
    expect(isValidSignature(raw, signatureOf(raw, SECRET), SECRET)).toBe(true);
    // Meta sends lowercase hex; a header in another form is not Meta's, whatever it encodes.
    expect(isValidSignature(raw, signatureOf(raw, SECRET).toUpperCase().replace('SHA256', 'sha256'), SECRET)).toBe(false);
    expect(isValidSignature(Buffer.from(JSON.stringify({ text: '林美玲 / ok' })), signatureOf(raw, SECRET), SECRET)).toBe(false);
    expect(isValidSignature(raw, null, SECRET)).toBe(false);
  });
});
