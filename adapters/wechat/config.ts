/** WeChat Official Account settings: read from the environment once, validated, frozen. */
import { ConfigError } from '../../src/errors.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** A validated WeChat configuration. Safe mode (encrypted pushes) is on when `encodingAesKey` is set. */
export interface WeChatConfig {
  /** The Official Account's AppID (`wx` and 16 hex digits), also Threadline's account id for WeChat. */
  readonly appId: string;
  readonly appSecret: string;
  /** The Token typed in the server configuration: signs every push. */
  readonly token: string;
  /** The 43-character EncodingAESKey of the server configuration; set for compatible or safe mode. */
  readonly encodingAesKey?: string;
  /** API base URL without a trailing slash. */
  readonly apiRoot: string;
}

/** Where WeChat pushes, on the shared HTTP server. */
export const WEBHOOK_PATH = '/webhooks/wechat';
export const DEFAULT_API_ROOT = 'https://api.weixin.qq.com';

const VARIABLES = ['WECHAT_APP_ID', 'WECHAT_APP_SECRET', 'WECHAT_TOKEN', 'WECHAT_ENCODING_AES_KEY', 'WECHAT_API_ROOT'];

/** @see https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Get_access_token.html (AppID like wx0123456789abcdef) */
const APP_ID = /^wx[0-9a-f]{16}$/;
/** The server configuration's Token: 3-32 letters and digits. @see https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Access_Overview.html */
const TOKEN = /^[A-Za-z0-9]{3,32}$/;
/** EncodingAESKey: 43 characters of A-Z, a-z, 0-9. @see https://developers.weixin.qq.com/doc/oplatform/en/Third-party_Platforms/2.0/api/Before_Develop/Technical_Plan.html */
const AES_KEY = /^[A-Za-z0-9]{43}$/;

/**
 * Reads the WECHAT_* variables: `undefined` when none is set (the channel is off), a frozen config
 * when they are valid, and a ConfigError naming the first wrong variable otherwise.
 */
export function readConfig(env: Env): WeChatConfig | undefined {
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  if (!VARIABLES.some((name) => value(name) !== undefined)) return undefined;
  const appId = value('WECHAT_APP_ID');
  if (appId === undefined || !APP_ID.test(appId))
    throw invalid(
      'WECHAT_APP_ID',
      'must be the AppID of the Official Account (wx and 16 hex digits; Settings and Development → Basic Configuration)',
    );
  const appSecret = value('WECHAT_APP_SECRET');
  if (appSecret === undefined || !/^[A-Za-z0-9]{32}$/.test(appSecret))
    throw invalid('WECHAT_APP_SECRET', 'must be the AppSecret of the Official Account (32 letters and digits; Basic Configuration)');
  const token = value('WECHAT_TOKEN');
  if (token === undefined || !TOKEN.test(token))
    throw invalid('WECHAT_TOKEN', 'must be the Token of the server configuration (3-32 letters and digits, the same as typed there)');
  const encodingAesKey = value('WECHAT_ENCODING_AES_KEY');
  if (encodingAesKey !== undefined && !AES_KEY.test(encodingAesKey))
    throw invalid(
      'WECHAT_ENCODING_AES_KEY',
      'must be the 43-character EncodingAESKey of the server configuration, or unset for plaintext mode',
    );
  const apiRoot = (value('WECHAT_API_ROOT') ?? DEFAULT_API_ROOT).replace(/\/+$/, '');
  if (!isHttpUrl(apiRoot)) throw invalid('WECHAT_API_ROOT', `must be an http(s) URL such as ${DEFAULT_API_ROOT}`);
  return Object.freeze({ appId, appSecret, token, apiRoot, ...(encodingAesKey === undefined ? {} : { encodingAesKey }) });
}

function invalid(variable: string, rule: string): ConfigError {
  return new ConfigError(variable, `Invalid configuration: ${variable} ${rule}`);
}

function isHttpUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}
