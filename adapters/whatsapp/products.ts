/**
 * The names of catalog products customers ask about (WhatsApp product inquiries name only the
 * catalog and the product's retailer id). One Catalog API lookup per product, kept in the adapter
 * state (shared by every instance) for a day; a failed lookup is tried again after an hour, and the
 * inquiry then shows the retailer id, as it does when the token cannot read the catalog.
 * @see https://developers.facebook.com/docs/marketing-api/reference/product-catalog/products
 */
import type { AdapterState, Logger } from '../../src/channel.ts';
import { ChannelError } from '../../src/errors.ts';
import { truncateGraphemes } from '../../src/safe-text.ts';
import type { GraphClient } from '../meta/graph.ts';
import { productLine, type Parsed, type ReferredProduct } from './parse.ts';

/** How long a product's name is kept before it is looked up again (a catalog's names change rarely). */
export const PRODUCT_NAME_TTL_MS = 24 * 3600 * 1000;
/** A lookup that failed (no catalog permission, Meta unreachable) is tried again after this long. */
const PRODUCT_RETRY_MS = 3600 * 1000;
/** Longest product name shown; Meta's own limit on names is larger than a thread line needs. */
const MAX_NAME_LENGTH = 150;

/** What the state keeps per product: its name, or nothing known (a failed or empty lookup). */
interface KnownProduct {
  readonly name?: string;
}

/** Names product inquiries: `name(item)` gives the item with its product's name in the text, when it can. */
export function createProductNames(options: { readonly graph: GraphClient; readonly state: AdapterState; readonly logger: Logger }) {
  const { graph, state, logger } = options;

  async function nameOf(product: ReferredProduct): Promise<string | undefined> {
    const key = `product:${product.catalogId}:${product.retailerId}`;
    const known = await state.get<KnownProduct>(key);
    if (known !== undefined) return known.name;
    try {
      // `GET /<catalog_id>/products?filter={"retailer_id":{"eq":…}}&fields=name`: the product whose retailer id it is.
      const answer = (await graph.get(`${encodeURIComponent(product.catalogId)}/products`, {
        fields: 'name',
        filter: JSON.stringify({ retailer_id: { eq: product.retailerId } }),
        limit: '1',
      })) as { data?: { name?: unknown }[] };
      const raw = answer.data?.[0]?.name;
      const name = typeof raw === 'string' ? truncateGraphemes(raw.replace(/\s+/g, ' ').trim(), MAX_NAME_LENGTH) : '';
      await state.set<KnownProduct>(key, name === '' ? {} : { name }, name === '' ? PRODUCT_RETRY_MS : PRODUCT_NAME_TTL_MS);
      return name === '' ? undefined : name;
    } catch (error) {
      if (!(error instanceof ChannelError)) throw error;
      logger.debug({ err: error.message, kind: error.kind }, 'WhatsApp product lookup failed; the inquiry shows the retailer id');
      await state.set<KnownProduct>(key, {}, PRODUCT_RETRY_MS);
      return undefined;
    }
  }

  return {
    async name(item: Parsed): Promise<Parsed> {
      const { product, event } = item;
      if (product === undefined || event.kind !== 'message' || event.text === undefined) return item;
      const fallback = productLine(product);
      if (!event.text.startsWith(fallback)) return item;
      const name = await nameOf(product);
      if (name === undefined) return item;
      return { ...item, event: { ...event, text: productLine(product, name) + event.text.slice(fallback.length) } };
    },
  };
}
