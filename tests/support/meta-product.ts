/** Starts one Meta product (Messenger, Instagram) on the shared webhook against the Graph API fake. */
import { metaFactory } from '../../adapters/meta/index.ts';
import type { MetaProduct } from '../../adapters/meta/index.ts';
import type { ChannelDeps } from '../../src/channel.ts';
import type { FailureCase } from '../contract/channel-contract.ts';
import { startFakeGraphApi, type FakeGraphApi } from '../fakes/graph-api.ts';
import { expiredToken, type graphError, throttled, unavailable } from '../fixtures/meta/send-errors.ts';
import { metaRoute } from './meta-webhook.ts';

export interface MetaProductSetup {
  readonly product: MetaProduct;
  /** The environment the product reads, pointed at the fake's URL. */
  readonly env: (graphUrl: string) => Record<string, string>;
  readonly token: string;
  /** What the fake's `GET /me` answers. */
  readonly me: Readonly<Record<string, unknown>>;
  /** The customer's profile the fake serves. */
  readonly profile: { readonly id: string; readonly fields: Readonly<Record<string, unknown>> };
  /** An image the fake's CDN serves, for attachment tests. */
  readonly image: Uint8Array;
}

export async function startMetaProduct(setup: MetaProductSetup, deps: ChannelDeps) {
  const factory = metaFactory([setup.product]);
  const graph = await startFakeGraphApi({ token: setup.token, me: setup.me });
  graph.addProfile(setup.profile.id, setup.profile.fields);
  const imageUrl = graph.addCdnFile('image.jpg', { data: setup.image, mimeType: 'image/jpeg' });
  const config = factory.readConfig(setup.env(graph.graphUrl));
  if (config === undefined) throw new Error(`no config for ${setup.product.platform}`);
  const group = factory.create(config, () => deps);
  const [channel] = group.channels;
  if (channel === undefined) throw new Error(`no ${setup.product.platform} channel`);
  const handle = (method: 'GET' | 'POST') => metaRoute(group.routes, method);
  return { graph, group, channel, imageUrl, handle, secrets: factory.secretsOf(config) };
}

/**
 * The send failures Messenger and Instagram share (both send through the Messenger Platform),
 * with the kind the channel must report for each; a product adds its own limits.
 */
export function messagingSendFailures(graph: FakeGraphApi, outsideWindow: ReturnType<typeof graphError>): FailureCase[] {
  const subcode = outsideWindow.error.error_subcode;
  return [
    {
      name: '613 rate limit',
      arrange: () => graph.failNext('messages', { status: 400, body: throttled, headers: { 'retry-after': '5' } }),
      kind: 'rate_limited',
      retryAfterMs: 5000,
    },
    { name: 'HTTP 429', arrange: () => graph.failNext('messages', { status: 429, body: {} }), kind: 'rate_limited' },
    { name: 'connection dropped', arrange: () => graph.failNext('messages', 'network'), kind: 'transient' },
    { name: '190 token', arrange: () => graph.failNext('messages', { status: 400, body: expiredToken }), kind: 'auth' },
    {
      name: `10/${subcode} outside the window`,
      arrange: () => graph.failNext('messages', { status: 400, body: outsideWindow }),
      kind: 'window_closed',
    },
    { name: '551 unavailable', arrange: () => graph.failNext('messages', { status: 400, body: unavailable }), kind: 'unreachable' },
  ];
}
