/** Instagram settings: the Instagram user access token and the Graph host it works with; the rest is META_*. */
import { invalid, settingOf, type Env } from '../meta/config.ts';

export interface InstagramConfig {
  /** An Instagram user access token (Instagram API with Instagram Login) with instagram_business_manage_messages. */
  readonly token: string;
  /** Where Instagram calls go, without a trailing slash. */
  readonly graphUrl: string;
}

/** Instagram API with Instagram Login. @see https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/ */
export const DEFAULT_INSTAGRAM_GRAPH_URL = 'https://graph.instagram.com';

/**
 * undefined when INSTAGRAM_TOKEN is unset: Instagram starts when its token is set.
 * @see https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/messaging-api/
 */
export function readConfig(env: Env): InstagramConfig | undefined {
  const token = settingOf(env, 'INSTAGRAM_TOKEN');
  if (token === undefined) return undefined;
  const graphUrl = (settingOf(env, 'INSTAGRAM_GRAPH_URL') ?? DEFAULT_INSTAGRAM_GRAPH_URL).replace(/\/+$/, '');
  if (!isHttpUrl(graphUrl)) throw invalid('INSTAGRAM_GRAPH_URL', `must be an http(s) URL such as ${DEFAULT_INSTAGRAM_GRAPH_URL}`);
  return Object.freeze({ token, graphUrl });
}

function isHttpUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}
