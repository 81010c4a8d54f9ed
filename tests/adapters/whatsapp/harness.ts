/** Builds the Meta group with WhatsApp wired to the Graph fake, and signs deliveries as Meta does. */
import { metaFactory } from '../../../adapters/meta/index.ts';
import { whatsappProduct } from '../../../adapters/whatsapp/index.ts';
import type { ChannelDeps, ChannelGroup } from '../../../src/channel.ts';
import { webhookRequest } from '../../contract/channel-contract.ts';
import { startFakeGraphApi, type FakeGraphApi } from '../../fakes/graph-api.ts';
import { PHONE_NUMBER_ID } from '../../fixtures/whatsapp/webhooks.ts';
import { metaBody, signMeta } from '../../support/meta-signing.ts';

export const APP_SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
export const VERIFY_TOKEN = 'threadline-verify-4f1c';
export const WHATSAPP_TOKEN = 'EAAGm0PX4ZCpsBAFakeTokenForTests0123456789';

export const factory = metaFactory([whatsappProduct]);

export function metaEnv(graphUrl: string): Record<string, string> {
  return {
    META_APP_SECRET: APP_SECRET,
    META_VERIFY_TOKEN: VERIFY_TOKEN,
    META_GRAPH_URL: graphUrl,
    WHATSAPP_TOKEN,
    WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
  };
}

export async function setupMeta(deps: ChannelDeps): Promise<{ graph: FakeGraphApi; group: ChannelGroup; secrets: readonly string[] }> {
  const graph = await startFakeGraphApi({ token: WHATSAPP_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
  const config = factory.readConfig(metaEnv(graph.graphUrl));
  if (config === undefined) throw new Error('no Meta config');
  return { graph, group: factory.create(config, () => deps), secrets: factory.secretsOf(config) };
}

/** A delivery as Meta posts it; `signature: null` leaves the header out. */
export function metaRequest(payload: unknown, signature: string | null = APP_SECRET) {
  const body = metaBody(payload);
  return webhookRequest(body, {
    'content-type': 'application/json',
    ...(signature === null ? {} : { 'X-Hub-Signature-256': signMeta(signature, body) }),
  });
}
