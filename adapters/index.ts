/** The registry: every platform Threadline can connect, one line each. Only src/app.ts imports this. */
import type { ChannelFactory } from '../src/channel.ts';
import { telegramFactory } from './telegram/index.ts';

/**
 * Every channel factory. Each has its own config type, erased here to `unknown` (the seam's default):
 * no `any` is needed because `secretsOf` and `create` are declared as methods, which TypeScript
 * checks bivariantly, and the composition root only passes a factory the value its own readConfig returned.
 */
export const channelFactories: readonly ChannelFactory[] = [telegramFactory];
