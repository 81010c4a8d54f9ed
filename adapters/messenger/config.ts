/** Messenger settings: the Page access token; the rest is META_*. */
import { settingOf, type Env } from '../meta/config.ts';

export interface MessengerConfig {
  /** A Page access token with `pages_messaging` (Meta app → Messenger → Settings → Access tokens). */
  readonly token: string;
}

/**
 * undefined when MESSENGER_PAGE_TOKEN is unset: Messenger starts when its token is set.
 * @see https://developers.facebook.com/docs/messenger-platform/getting-started/app-setup
 */
export function readConfig(env: Env): MessengerConfig | undefined {
  const token = settingOf(env, 'MESSENGER_PAGE_TOKEN');
  return token === undefined ? undefined : Object.freeze({ token });
}
