/**
 * The Meta registry entry: one app, one webhook, up to three products. Each product (WhatsApp,
 * Instagram, Messenger) starts when its own token is set; all of them share META_* and
 * the route /webhooks/meta, which hands each entry to the product its `object` names.
 * @see https://developers.facebook.com/docs/graph-api/webhooks/getting-started
 */
import type { Channel, ChannelDeps, ChannelGroupFactory } from '../../src/channel.ts';
import type { Platform } from '../../src/messages.ts';
import { anyMetaSetting, invalid, readMetaSettings, type Env, type MetaSettings } from './config.ts';
import { createMetaWebhook, type EntryParser } from './webhook.ts';

export type { MetaSettings } from './config.ts';
export type { EntryOutcome, EntryParser } from './webhook.ts';

/** A Meta product's channel: a Channel that reads the entries of its webhook `object`. */
export interface MetaChannel extends Channel {
  readonly parseEntry: EntryParser;
}

/** What a Meta product tells the group. */
export interface MetaProduct<C = unknown> {
  readonly platform: Platform;
  /** The webhook `object` of its entries (`whatsapp_business_account`, `instagram`, `page`). */
  readonly object: string;
  /** The variable whose presence turns it on, named when META_* is set and no product is. */
  readonly tokenSetting: string;
  /** undefined when its token is unset; throws ConfigError naming a bad variable. */
  readConfig(env: Env): C | undefined;
  secretsOf(config: C): readonly string[];
  create(config: C, settings: MetaSettings, deps: ChannelDeps): MetaChannel;
}

/** The group's configuration: the shared settings and each configured product's own. */
export interface MetaConfig {
  readonly settings: MetaSettings;
  readonly products: readonly { readonly product: MetaProduct; readonly config: NonNullable<unknown> }[];
}

/** The registry entry for the given products. */
export function metaFactory(products: readonly MetaProduct[]): ChannelGroupFactory<MetaConfig> {
  return {
    platforms: products.map((p) => p.platform),
    readConfig(env) {
      const configured = products
        .map((product) => ({ product, config: product.readConfig(env) }))
        .filter(
          (entry): entry is { product: MetaProduct; config: NonNullable<unknown> } => entry.config !== undefined && entry.config !== null,
        );
      if (configured.length === 0) {
        if (!anyMetaSetting(env)) return undefined;
        throw invalid(
          products[0]?.tokenSetting ?? 'META_APP_SECRET',
          `is not set, but META_* is: set the token of each Meta product to connect (${products.map((p) => p.tokenSetting).join(', ')})`,
        );
      }
      return { settings: readMetaSettings(env), products: configured };
    },
    secretsOf: (config) => [
      config.settings.appSecret,
      config.settings.verifyToken,
      ...config.products.flatMap(({ product, config: own }) => product.secretsOf(own)),
    ],
    enabled: (config) => config.products.map(({ product }) => product.platform),
    create(config, deps) {
      const channels = config.products.map(({ product, config: own }) => ({
        object: product.object,
        channel: product.create(own, config.settings, deps(product.platform)),
      }));
      const first = config.products[0]?.product.platform ?? 'whatsapp';
      const routes = createMetaWebhook({
        settings: config.settings,
        parsers: new Map(channels.map(({ object, channel }) => [object, channel.parseEntry])),
        logger: deps(first).logger.child({ component: 'meta-webhook' }),
      });
      return { channels: channels.map(({ channel }) => channel), routes };
    },
  };
}
