/** The registry: every platform Threadline can connect, one line each. Only src/app.ts imports this. */
import type { RegistryEntry } from '../src/channel.ts';
import { metaFactory } from './meta/index.ts';
import { telegramFactory } from './telegram/index.ts';
import { instagramProduct } from './instagram/index.ts';
import { messengerProduct } from './messenger/index.ts';
import { wechatFactory } from './wechat/index.ts';
import { whatsappProduct } from './whatsapp/index.ts';
import { xFactory } from './x/index.ts';

/**
 * Every channel factory, and group factories for platforms that share one webhook (Meta). Each has its own config type, erased here to `unknown` (the seam's default):
 * no `any` is needed because `secretsOf` and `create` are declared as methods, which TypeScript
 * checks bivariantly, and the composition root only passes a factory the value its own readConfig returned.
 */
export const channelFactories: readonly RegistryEntry[] = [
  telegramFactory,
  // One Meta app, one webhook (/webhooks/meta), for every Meta product.
  metaFactory([whatsappProduct, instagramProduct, messengerProduct]),
  wechatFactory,
  xFactory,
];
