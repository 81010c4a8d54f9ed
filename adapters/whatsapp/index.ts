/**
 * The WhatsApp channel (Cloud API): entries from the shared Meta webhook in, Graph API out.
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/overview
 */
import type { AdapterState, ChannelDeps } from '../../src/channel.ts';
import type { InboundEvent } from '../../src/messages.ts';
import { createGraphClient } from '../meta/graph.ts';
import type { MetaChannel, MetaProduct, MetaSettings } from '../meta/index.ts';
import { checkWhatsApp, phoneNumber } from './check.ts';
import { readConfig, type WhatsAppConfig } from './config.ts';
import { RULES, TOKEN_SETTING } from './errors.ts';
import { WHATSAPP_FACTS } from './facts.ts';
import { parseEntry, type Identity, type Parsed } from './parse.ts';
import { createProductNames } from './products.ts';
import { createSender, MAX_TEXT_LENGTH } from './send.ts';

export type { WhatsAppConfig } from './config.ts';

/** The webhook `object` of WhatsApp entries. */
export const WHATSAPP_OBJECT = 'whatsapp_business_account';

export function createWhatsAppChannel(config: WhatsAppConfig, settings: MetaSettings, deps: ChannelDeps): MetaChannel {
  const log = deps.logger;
  const graph = createGraphClient({
    platform: 'whatsapp',
    graphUrl: settings.graphUrl,
    graphVersion: settings.graphVersion,
    token: config.token,
    tokenSetting: TOKEN_SETTING,
    rules: RULES,
  });
  // Product names are looked up while Meta waits for the webhook's answer: a short timeout.
  const products = createProductNames({
    graph: createGraphClient({
      platform: 'whatsapp',
      graphUrl: settings.graphUrl,
      graphVersion: settings.graphVersion,
      token: config.token,
      tokenSetting: TOKEN_SETTING,
      rules: RULES,
      timeoutMs: 3000,
    }),
    state: deps.state,
    logger: log,
  });
  const identities = createIdentities(deps.state);
  const sender = createSender({
    graph,
    phoneNumberId: config.phoneNumberId,
    state: deps.state,
    recipientOf: identities.phoneOf,
    now: deps.now,
  });
  return {
    platform: 'whatsapp',
    // @see https://developers.facebook.com/documentation/business-messaging/whatsapp/business-phone-numbers/media#supported-media-types (documents up to 100 MB)
    limits: { maxTextLength: MAX_TEXT_LENGTH, maxFileBytes: 100 * 1024 * 1024, replyWindowHours: 24 },
    facts: WHATSAPP_FACTS,
    routes: [],
    async start() {
      const number = await phoneNumber(graph, config.phoneNumberId);
      log.info({ phoneNumberId: config.phoneNumberId, display: number.display ?? null }, 'WhatsApp channel started');
    },
    async stop() {},
    send: (message) => sender.send(message),
    fetchMedia: (ref) => sender.fetchMedia(ref),
    check: () => checkWhatsApp(graph, config.phoneNumberId),
    async parseEntry(entry) {
      const parsed = parseEntry(entry, { phoneNumberId: config.phoneNumberId });
      if (parsed.otherNumbers > 0)
        log.debug({ changes: parsed.otherNumbers }, 'WhatsApp traffic for another phone number of the business account skipped');
      const events: InboundEvent[] = [];
      for (const item of parsed.items) events.push(await identities.settle(await products.name(item)));
      return { events, unknown: parsed.unknown };
    },
  };
}

/**
 * One conversation per person. A customer is keyed by the business-scoped user id when Meta sends
 * one and by the phone otherwise; once a person is known under one key, the other key seen beside
 * it maps to the same contact id, so a customer who had a thread by phone keeps it when Meta starts
 * sending user ids too. Phones are compared in E.164. A group (`group_id`) is its own contact.
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids/
 */
function createIdentities(state: AdapterState) {
  const keysOf = (identity: Identity) =>
    [identity.userId && `id:user:${identity.userId}`, identity.phone && `id:phone:${identity.phone}`].filter((k): k is string =>
      Boolean(k),
    );
  return {
    async settle(item: Parsed): Promise<InboundEvent> {
      const { identity, event } = item;
      if (identity.groupId !== undefined) return event;
      const keys = keysOf(identity);
      let known: string | undefined;
      for (const key of keys) known ??= await state.get<string>(key);
      const contactId = known ?? event.contact.id;
      for (const key of keys) if ((await state.get<string>(key)) !== contactId) await state.set(key, contactId);
      if (identity.phone !== undefined && event.kind === 'message') await state.set(`phone-of:${contactId}`, identity.phone.slice(1));
      return contactId === event.contact.id ? event : { ...event, contact: { ...event.contact, id: contactId } };
    },
    async phoneOf(contactId: string): Promise<string | undefined> {
      if (/^[0-9]+$/.test(contactId)) return contactId;
      return state.get<string>(`phone-of:${contactId}`);
    },
  };
}

/** The WhatsApp product of the Meta registry entry. */
export const whatsappProduct: MetaProduct<WhatsAppConfig> = {
  platform: 'whatsapp',
  object: WHATSAPP_OBJECT,
  tokenSetting: TOKEN_SETTING,
  readConfig,
  secretsOf: (config) => [config.token],
  create: (config, settings, deps) => createWhatsAppChannel(config, settings, deps),
};
