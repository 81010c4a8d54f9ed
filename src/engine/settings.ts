/**
 * Routing settings kept in the store, so that every instance sees an `/inbox route` change at
 * once and it survives restarts. Read on every use: there is no cache to go stale.
 */
import type { Store } from '../store/store.ts';
import { keys } from '../store/keys.ts';
import type { RoutingSettings } from './slack-port.ts';

interface StoredRouting {
  readonly routes: Readonly<Record<string, string>>;
  readonly defaultChannel?: string;
}

/** Store-backed RoutingSettings; `fallbackChannel` is DEFAULT_CHANNEL until an admin sets another. */
export function createRoutingSettings(store: Store, fallbackChannel: string): RoutingSettings {
  const read = async (): Promise<StoredRouting> => (await store.get<StoredRouting>(keys.routing())) ?? { routes: {} };
  const write = (value: StoredRouting) => store.set(keys.routing(), value);
  return {
    async routes() {
      return (await read()).routes;
    },
    async defaultChannel() {
      return (await read()).defaultChannel ?? fallbackChannel;
    },
    async setRoute(language, slackChannelId) {
      const current = await read();
      await write({ ...current, routes: { ...current.routes, [language]: slackChannelId } });
    },
    async removeRoute(language) {
      const current = await read();
      if (!(language in current.routes)) return false;
      const { [language]: _removed, ...routes } = current.routes;
      await write({ ...current, routes });
      return true;
    },
    async setDefaultChannel(slackChannelId) {
      await write({ ...(await read()), defaultChannel: slackChannelId });
    },
  };
}
