/** The settings the Meta products share: the app's secret, the webhook's verify token, the Graph API. */
import { ConfigError } from '../../src/errors.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/** A validated Meta app configuration. */
export interface MetaSettings {
  readonly appSecret: string;
  readonly verifyToken: string;
  /** Graph API base URL without a trailing slash. */
  readonly graphUrl: string;
  /** Every Graph call goes to `<graphUrl>/<graphVersion>/…`. */
  readonly graphVersion: string;
  /**
   * META_HUMAN_AGENT_TAG: Messenger and Instagram replies between 24 hours and 7 days after the
   * customer's last message go with the HUMAN_AGENT tag (the app needs Human Agent approval).
   */
  readonly humanAgentTag: boolean;
}

/** The one webhook of the Meta app, for every product. */
export const WEBHOOK_PATH = '/webhooks/meta';

/**
 * The Graph API version used when META_GRAPH_VERSION is unset: the latest when this was written
 * (v26.0, introduced 2026-07-29; Meta keeps a version for about two years).
 * @see https://developers.facebook.com/docs/graph-api/changelog
 */
export const DEFAULT_GRAPH_VERSION = 'v26.0';
export const DEFAULT_GRAPH_URL = 'https://graph.facebook.com';

/** @see https://developers.facebook.com/docs/graph-api/guides/versioning ("v" major.minor, e.g. v26.0) */
const VERSION = /^v[0-9]+\.[0-9]+$/;

/** A variable's value, or undefined when it is unset or blank. */
export function settingOf(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** Whether any of the META_* variables is set. */
export function anyMetaSetting(env: Env): boolean {
  return ['META_APP_SECRET', 'META_VERIFY_TOKEN', 'META_GRAPH_URL', 'META_GRAPH_VERSION', 'META_HUMAN_AGENT_TAG'].some(
    (name) => settingOf(env, name) !== undefined,
  );
}

/**
 * Reads the META_* variables; called once a product's token is set. META_APP_SECRET (App settings →
 * Basic → App secret) signs every webhook; META_VERIFY_TOKEN is the string the admin typed as the
 * webhook's Verify token.
 * @see https://developers.facebook.com/docs/graph-api/webhooks/getting-started
 */
export function readMetaSettings(env: Env): MetaSettings {
  const appSecret = settingOf(env, 'META_APP_SECRET');
  if (appSecret === undefined)
    throw invalid(
      'META_APP_SECRET',
      'is required for WhatsApp, Instagram and Messenger: copy the App secret from the Meta app (App settings → Basic)',
    );
  const verifyToken = settingOf(env, 'META_VERIFY_TOKEN');
  if (verifyToken === undefined)
    throw invalid(
      'META_VERIFY_TOKEN',
      "is required for WhatsApp, Instagram and Messenger: choose a random string and type the same one as the webhook's Verify token in the Meta app",
    );
  const graphUrl = (settingOf(env, 'META_GRAPH_URL') ?? DEFAULT_GRAPH_URL).replace(/\/+$/, '');
  if (!isHttpUrl(graphUrl)) throw invalid('META_GRAPH_URL', `must be an http(s) URL such as ${DEFAULT_GRAPH_URL}`);
  const graphVersion = settingOf(env, 'META_GRAPH_VERSION') ?? DEFAULT_GRAPH_VERSION;
  if (!VERSION.test(graphVersion)) throw invalid('META_GRAPH_VERSION', `must look like ${DEFAULT_GRAPH_VERSION}`);
  const tag = settingOf(env, 'META_HUMAN_AGENT_TAG')?.toLowerCase() ?? 'false';
  if (tag !== 'true' && tag !== 'false') throw invalid('META_HUMAN_AGENT_TAG', 'must be true or false');
  return Object.freeze({ appSecret, verifyToken, graphUrl, graphVersion, humanAgentTag: tag === 'true' });
}

export function invalid(variable: string, rule: string): ConfigError {
  return new ConfigError(variable, `Invalid configuration: ${variable} ${rule}`);
}

function isHttpUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}
