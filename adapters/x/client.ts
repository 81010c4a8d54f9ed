/**
 * The one twitter-api-v2 client of the X channel, pointed at X_API_ROOT. The library has no base-URL
 * option and always calls https://api.x.com (and X's media hosts), so a plugin rewrites every
 * request's URL in one place, after the OAuth 1.0a signature was computed over the documented URL:
 * a proxy that forwards to X keeps valid signatures, and a test double sees X's own paths.
 * @see https://github.com/PLhery/node-twitter-api-v2/blob/master/doc/plugins.md
 */
import http from 'node:http';
import { TwitterApi, type ITwitterApiClientPlugin } from 'twitter-api-v2';
import { DEFAULT_API_ROOT, type XConfig } from './config.ts';

/** Builds the OAuth 1.0a user-context client for `config`. */
export function createXClient(config: XConfig): TwitterApi {
  const tokens = {
    appKey: config.appKey,
    appSecret: config.appSecret,
    accessToken: config.accessToken,
    accessSecret: config.accessSecret,
  };
  if (config.apiRoot === DEFAULT_API_ROOT) return new TwitterApi(tokens);
  const root = new URL(config.apiRoot);
  // The library always calls https.request; that accepts an http: URL only with an http agent.
  const httpAgent = root.protocol === 'http:' ? new http.Agent({ keepAlive: false }) : undefined;
  return new TwitterApi(tokens, { plugins: [rewriteTo(root)], ...(httpAgent === undefined ? {} : { httpAgent }) });
}

/**
 * Sends every request to `root`, keeping its path and query. Done in `onBeforeRequest` on the computed
 * URL: rewriting in `onBeforeRequestConfig` changes how the library encodes some bodies.
 */
function rewriteTo(root: URL): ITwitterApiClientPlugin {
  const prefix = root.pathname.replace(/\/+$/, '');
  return {
    onBeforeRequest({ computedParams }) {
      const url = computedParams.url;
      url.pathname = `${prefix}${url.pathname}`;
      url.protocol = root.protocol;
      url.host = root.host;
    },
  };
}
