/**
 * X's part of `threadline doctor`: are the four keys accepted (GET /2/users/me), and may the app read
 * DMs (GET /2/dm_events, one event). Read-only: nothing is sent, and the poll cursor is not touched.
 * @see https://docs.x.com/x-api/users/lookup/introduction
 * @see https://docs.x.com/x-api/direct-messages/lookup/integrate
 */
import type { TwitterApi } from 'twitter-api-v2';
import type { CheckResult } from '../../src/channel.ts';
import { WEBHOOK_PATH, type XConfig } from './config.ts';
import { toConnectError } from './errors.ts';

const CHECK_TIMEOUT_MS = 10_000;
const KEYS = 'X_ACCESS_TOKEN';
const DMS = 'x direct messages';

/** Runs the checks; never throws (every failure is a `fail` result). */
export async function checkX(client: TwitterApi, config: XConfig): Promise<readonly CheckResult[]> {
  let me: { id: string; username: string };
  try {
    me = (await client.v2.get('users/me', undefined, { timeout: CHECK_TIMEOUT_MS })).data as { id: string; username: string };
  } catch (error) {
    return [failure(KEYS, error, config)];
  }
  const account: CheckResult = { status: 'ok', subject: KEYS, detail: `account @${me.username} (${me.id}) accepts the keys` };
  try {
    await client.v2.get('dm_events', { max_results: 1 }, { timeout: CHECK_TIMEOUT_MS });
  } catch (error) {
    return [account, failure(DMS, error, config)];
  }
  const intake = config.webhook
    ? `webhook mode: Threadline answers the CRC and takes Account Activity deliveries at POST ${WEBHOOK_PATH}; register https://<public host>${WEBHOOK_PATH} with X and subscribe @${me.username}`
    : `DM lookup works; Threadline polls every ${config.pollSeconds} s`;
  return [account, { status: 'ok', subject: DMS, detail: intake }];
}

function failure(subject: string, error: unknown, config: XConfig): CheckResult {
  const mapped = toConnectError(error, config.apiRoot);
  if (mapped.kind === 'auth') return { status: 'fail', subject: KEYS, detail: mapped.message };
  const again =
    mapped.kind === 'rate_limited' || mapped.detail.platformCode !== undefined ? ': run threadline doctor again in a minute' : '';
  const why =
    mapped.kind === 'unreachable'
      ? `${mapped.message}: give the app Read, write and Direct Messages permissions and regenerate the access token`
      : mapped.message;
  return { status: 'fail', subject: mapped.detail.platformCode === undefined ? 'x' : subject, detail: `${why}${again}` };
}
