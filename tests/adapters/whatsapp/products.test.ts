/**
 * A WhatsApp product inquiry names the product: the channel looks the retailer id up in the catalog
 * once (through the real Graph client against the Graph fake), keeps the name in the adapter state,
 * and shows the retailer id when the lookup fails.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { InboundEvent } from '../../../src/messages.ts';
import { memoryState } from '../../contract/channel-contract.ts';
import type { FakeGraphApi } from '../../fakes/graph-api.ts';
import { incoming, notification, productInquiry } from '../../fixtures/whatsapp/webhooks.ts';
import { captureLogger } from '../../support/capture-logger.ts';
import { metaRequest, metaRoute } from '../../support/meta-webhook.ts';
import { setupMeta } from './harness.ts';

const CATALOG = productInquiry.context.referred_product.catalog_id;
const RETAILER_ID = productInquiry.context.referred_product.product_retailer_id;

let graph: FakeGraphApi | undefined;
afterEach(async () => {
  await graph?.close();
  graph = undefined;
});

async function build() {
  const state = memoryState();
  const built = await setupMeta({ logger: captureLogger().logger, state, now: () => Date.parse('2026-12-03T10:00:00.000Z') });
  graph = built.graph;
  const handle = metaRoute(built.group.routes, 'POST');
  const receive = async (message: Record<string, unknown>): Promise<InboundEvent[]> => {
    const result = await handle(metaRequest(notification(incoming(message))));
    if (result.status !== 200) throw new Error(`status ${result.status}`);
    return [...result.events];
  };
  return { graph: built.graph, receive };
}

const textOf = (events: readonly InboundEvent[]) => (events[0]?.kind === 'message' ? events[0].text : undefined);

describe('WhatsApp product inquiries', () => {
  it('name the product from the catalog, looked up once', async () => {
    const { graph, receive } = await build();
    graph.addProduct(CATALOG, RETAILER_ID, 'Blue running shoes, size 42');
    expect(textOf(await receive(productInquiry))).toBe(
      `[Asks about product “Blue running shoes, size 42” (${RETAILER_ID})]\nIs this in stock?`,
    );
    expect(textOf(await receive({ ...productInquiry, id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgZ=' }))).toContain(
      '“Blue running shoes, size 42”',
    );
    const [lookup, ...more] = graph.callsOf('catalog-products');
    expect(more).toEqual([]);
    // @see https://developers.facebook.com/docs/marketing-api/reference/product-catalog/products
    const url = new URL(lookup?.path ?? '', 'http://graph');
    expect(url.pathname).toBe(`/v26.0/${CATALOG}/products`);
    expect(url.searchParams.get('fields')).toBe('name');
    expect(JSON.parse(url.searchParams.get('filter') ?? 'null')).toEqual({ retailer_id: { eq: RETAILER_ID } });
  });

  it('show the retailer id as before when the catalog does not know the product or cannot be read', async () => {
    const { graph, receive } = await build();
    const fallback = `[Asks about product ${RETAILER_ID} (catalog ${CATALOG})]\nIs this in stock?`;
    expect(textOf(await receive(productInquiry))).toBe(fallback);

    const other = await build();
    other.graph.failNext('catalog-products', {
      status: 400,
      body: { error: { message: '(#10) Application does not have permission for this action', type: 'OAuthException', code: 10 } },
    });
    expect(textOf(await other.receive(productInquiry))).toBe(fallback);
    other.graph.failNext('catalog-products', 'network');
    expect(textOf(await other.receive({ ...productInquiry, id: 'wamid.second' }))).toBe(fallback);
    // The failure is remembered for an hour: the second inquiry asked nothing.
    expect(other.graph.callsOf('catalog-products')).toHaveLength(1);
    await other.graph.close();
    await graph.close();
  });
});
