/**
 * The access token, one for every instance: kept with its expiry in the adapter state (shared by
 * all instances on the store) and renewed before it expires by whichever instance holds the
 * `access-token` lease; the others wait and read the renewed token. Fetched with `stable_token`,
 * which returns the same token while it is valid (so a renewal does not cut off other callers);
 * `force_refresh` only when WeChat said the token is stale (40001/42001/40014).
 * @see https://developers.weixin.qq.com/doc/service/api/base/api_getstableaccesstoken
 * @see https://developers.weixin.qq.com/doc/oplatform/developers/dev/AccessToken.html
 */
import type { AdapterState } from '../../src/channel.ts';
import { ChannelError } from '../../src/errors.ts';

/** What `stable_token` answers: the token, or an errcode. */
export type FetchToken = (forceRefresh: boolean) => Promise<{ readonly accessToken: string; readonly expiresInSeconds: number }>;

export interface TokenSource {
  /** A token valid for a while yet; renews first when it expires within RENEW_BEFORE_MS. */
  current(): Promise<string>;
  /** A token other than `stale`: renewed with force_refresh unless another instance already renewed it. */
  renewAfterRefusal(stale: string): Promise<string>;
}

interface StoredToken {
  readonly value: string;
  /** Epoch ms on the `now` clock. */
  readonly expiresAt: number;
}

const KEY = 'access-token';
const LEASE = 'access-token-refresh';
/** WeChat rotates tokens 5 minutes before they expire; renew before that. */
export const RENEW_BEFORE_MS = 5 * 60_000;
/** Long enough for one `stable_token` call. */
const LEASE_MS = 30_000;
const WAIT_STEP_MS = 100;
const MAX_WAITS = 150;

export function createTokenSource(options: {
  readonly state: AdapterState;
  readonly now: () => number;
  readonly fetchToken: FetchToken;
  /** For tests; default setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
}): TokenSource {
  const { state, now } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const read = () => guard(() => state.get<StoredToken>(KEY));
  const usable = (token: StoredToken | undefined, stale?: string): token is StoredToken =>
    token !== undefined && token.value !== stale && token.expiresAt - now() > RENEW_BEFORE_MS;

  async function renew(force: boolean, stale?: string): Promise<string> {
    for (let waits = 0; waits <= MAX_WAITS; waits++) {
      if (await guard(() => state.lease(LEASE, LEASE_MS))) {
        try {
          // Another instance may have renewed between our read and our lease.
          const known = await read();
          if (usable(known, stale)) return known.value;
          const fetched = await options.fetchToken(force);
          const ttlMs = fetched.expiresInSeconds * 1000;
          await guard(() => state.set<StoredToken>(KEY, { value: fetched.accessToken, expiresAt: now() + ttlMs }, ttlMs));
          return fetched.accessToken;
        } finally {
          await state.releaseLease(LEASE).catch(() => undefined);
        }
      }
      await sleep(WAIT_STEP_MS);
      const renewed = await read();
      if (usable(renewed, stale)) return renewed.value;
    }
    throw new ChannelError('wechat', 'transient', 'Another Threadline instance is renewing the WeChat access token and has not finished');
  }

  // The lease is held in this instance's name, so concurrent calls within the instance share one renewal.
  let pending: Promise<string> | undefined;
  const once = (force: boolean, stale?: string): Promise<string> => {
    pending ??= renew(force, stale).finally(() => {
      pending = undefined;
    });
    return pending;
  };

  return {
    async current() {
      const known = await read();
      return usable(known) ? known.value : once(false);
    },
    renewAfterRefusal: (stale) => once(true, stale),
  };
}

async function guard<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw new ChannelError(
      'wechat',
      'transient',
      'Could not read or keep the WeChat access token in the adapter state',
      {},
      { cause: error },
    );
  }
}
