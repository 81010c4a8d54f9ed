/** X settings: read from the environment once, validated, frozen. */
import { ConfigError } from '../../src/errors.ts';

/** A validated X configuration: OAuth 1.0a user context of the account whose DMs are bridged. */
export interface XConfig {
  readonly appKey: string;
  readonly appSecret: string;
  readonly accessToken: string;
  readonly accessSecret: string;
  /** X API base URL without a trailing slash; every call goes there (default https://api.x.com). */
  readonly apiRoot: string;
  /** Seconds between two polls of GET /2/dm_events. */
  readonly pollSeconds: number;
  /** true: intake by the Account Activity webhook at /webhooks/x instead of polling. */
  readonly webhook: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Where the Account Activity API posts events (and sends the CRC), on the shared HTTP server. */
export const WEBHOOK_PATH = '/webhooks/x';
export const DEFAULT_API_ROOT = 'https://api.x.com';
const DEFAULT_POLL_SECONDS = 60;
/**
 * DM lookup allows 300 requests per 15 minutes per user, one every 3 seconds.
 * @see https://docs.x.com/x-api/x-api-v2/direct-messages/direct-messages-lookup ("a user rate limit of 300 requests per 15 minutes for the GET methods")
 */
export const MIN_POLL_SECONDS = 3;

const CREDENTIALS = ['X_APP_KEY', 'X_APP_SECRET', 'X_ACCESS_TOKEN', 'X_ACCESS_SECRET'] as const;
const HINT: Readonly<Record<(typeof CREDENTIALS)[number], string>> = {
  X_APP_KEY: "is required: the API Key (consumer key) from the app's Keys and tokens page in the X developer portal",
  X_APP_SECRET: "is required: the API Key Secret (consumer secret) from the app's Keys and tokens page",
  X_ACCESS_TOKEN: 'is required: the Access Token of the account whose DMs Threadline bridges (Read, write and Direct Messages)',
  X_ACCESS_SECRET: 'is required: the Access Token Secret generated with X_ACCESS_TOKEN',
};

/**
 * Reads the X_* variables: `undefined` when none is set (the channel is off), a frozen config when
 * they are valid, and a ConfigError naming the first wrong variable otherwise. An empty value counts as unset.
 * @see https://docs.x.com/resources/fundamentals/authentication/oauth-1-0a/api-key-and-secret
 */
export function readConfig(env: Env): XConfig | undefined {
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  if (!Object.keys(env).some((name) => name.startsWith('X_') && value(name) !== undefined)) return undefined;
  const [appKey, appSecret, accessToken, accessSecret] = CREDENTIALS.map((name) => {
    const v = value(name);
    if (v === undefined || /\s/.test(v)) throw invalid(name, HINT[name]);
    return v;
  }) as [string, string, string, string];
  const apiRoot = (value('X_API_ROOT') ?? DEFAULT_API_ROOT).replace(/\/+$/, '');
  if (!isUrl(apiRoot)) throw invalid('X_API_ROOT', 'must be an http(s) URL such as https://api.x.com');
  const pollText = value('X_POLL_SECONDS') ?? String(DEFAULT_POLL_SECONDS);
  const pollSeconds = Number(pollText);
  if (!/^[0-9]+$/.test(pollText) || pollSeconds < MIN_POLL_SECONDS) {
    throw invalid(
      'X_POLL_SECONDS',
      `must be a whole number of seconds, at least ${MIN_POLL_SECONDS} (X allows 300 DM lookups per 15 minutes)`,
    );
  }
  const webhook = value('X_WEBHOOK')?.toLowerCase() ?? 'false';
  if (webhook !== 'true' && webhook !== 'false') throw invalid('X_WEBHOOK', 'must be true or false');
  return Object.freeze({ appKey, appSecret, accessToken, accessSecret, apiRoot, pollSeconds, webhook: webhook === 'true' });
}

function invalid(variable: string, rule: string): ConfigError {
  return new ConfigError(variable, `Invalid configuration: ${variable} ${rule}`);
}

function isUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}
