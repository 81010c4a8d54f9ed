/** Builds the Meta group with WhatsApp wired to the Graph fake, and signs deliveries as Meta does. */
import { metaFactory } from '../../../adapters/meta/index.ts';
import { whatsappProduct } from '../../../adapters/whatsapp/index.ts';
import type { ChannelDeps, ChannelGroup } from '../../../src/channel.ts';
import { startFakeGraphApi, type FakeGraphApi } from '../../fakes/graph-api.ts';
import { PHONE_NUMBER_ID } from '../../fixtures/whatsapp/webhooks.ts';
import { APP_SECRET, VERIFY_TOKEN } from '../../support/meta-webhook.ts';

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

export { APP_SECRET, metaRequest, VERIFY_TOKEN } from '../../support/meta-webhook.ts';
