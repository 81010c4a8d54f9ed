/**
 * What `POST /slack/events` checks from the headers alone, before reading the body: the declared
 * size, the signature headers' presence and the timestamp window. Slack's replay rule for signed
 * requests: "If the difference between the request timestamp and the current time is more than five
 * minutes, ignore the request." Either way: Bolt's verifySlackRequest (5.1) refuses only old
 * timestamps, so a request dated in the future would pass it.
 * @see https://docs.slack.dev/authentication/verifying-requests-from-slack#validating-a-request
 */
import type { IncomingHttpHeaders } from 'node:http';

/**
 * The largest `/slack/events` body accepted: 1 MiB. Slack documents no maximum request size; its
 * payloads describe one event or interaction (a message's text is cut at 40,000 characters, and a
 * message has at most 50 blocks, a modal 100), well under a megabyte. Bolt's own
 * HTTPReceiver caps at 4 MB (`defaultBodyLimit`, bolt-js 5.1.0: a guard against unauthenticated floods,
 * not a Slack figure); 1 MiB keeps a wide margin and reads a quarter of that for each forged request.
 * @see https://docs.slack.dev/reference/methods/chat.postMessage (text truncation, blocks)
 */
export const SLACK_MAX_BODY_BYTES = 1024 * 1024;

/**
 * An unsigned request can only be Slack's SSL check (`ssl_check=1&token=…`, answered without
 * verification, as Bolt does): a few dozen bytes. A larger unsigned body is refused unread.
 * @see https://docs.slack.dev/interactivity/implementing-slash-commands#ssl
 */
export const SSL_CHECK_MAX_BYTES = 4 * 1024;

/** The most a signed request's `X-Slack-Request-Timestamp` may differ from now, in seconds, before or after. */
export const SLACK_TIMESTAMP_WINDOW_SECONDS = 5 * 60;

/**
 * Why `header` (X-Slack-Request-Timestamp as received) is not acceptable at `nowMs`, or undefined
 * when it is a whole number of seconds within the window. Needs only the headers, so it runs before
 * the body is read.
 */
export function timestampProblem(header: string | readonly string[] | undefined, nowMs: number): string | undefined {
  if (header === undefined) return 'X-Slack-Request-Timestamp missing';
  if (typeof header !== 'string' || !/^\d{1,12}$/.test(header)) return 'X-Slack-Request-Timestamp is not a number of seconds';
  const difference = Math.floor(nowMs / 1000) - Number(header);
  if (difference > SLACK_TIMESTAMP_WINDOW_SECONDS)
    return `X-Slack-Request-Timestamp is ${difference} s old, more than ${SLACK_TIMESTAMP_WINDOW_SECONDS} s (a replay, or this host's clock is wrong)`;
  if (-difference > SLACK_TIMESTAMP_WINDOW_SECONDS)
    return `X-Slack-Request-Timestamp is ${-difference} s in the future, more than ${SLACK_TIMESTAMP_WINDOW_SECONDS} s (this host's clock is wrong, or the request is forged)`;
  return undefined;
}

/** A refusal decided from the headers: what to answer, and the reason for the log. */
export interface EarlyRefusal {
  readonly status: 401 | 413;
  /** The short answer body. */
  readonly answer: string;
  /** For the warning; names no header value. */
  readonly reason: string;
}

/** Whether the request carries a signature header at all (without either, it may only be an SSL check). */
export function isSigned(headers: IncomingHttpHeaders): boolean {
  return headers['x-slack-signature'] !== undefined || headers['x-slack-request-timestamp'] !== undefined;
}

/**
 * The answer to give before reading the body, or undefined to read it: 413 when Content-Length
 * exceeds `maxBodyBytes`; 401 when one signature header is missing or the timestamp is outside the
 * window. A request with neither header is read (at most SSL_CHECK_MAX_BYTES): it may be an SSL check.
 */
export function refusalBeforeBody(headers: IncomingHttpHeaders, maxBodyBytes: number, nowMs: number): EarlyRefusal | undefined {
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBodyBytes) {
    return { status: 413, answer: `payload too large: at most ${maxBodyBytes} bytes`, reason: `content-length over ${maxBodyBytes} bytes` };
  }
  if (!isSigned(headers)) return undefined;
  const refuse = (reason: string): EarlyRefusal => ({
    status: 401,
    answer: 'Slack signature missing, wrong or outside the 5-minute window',
    reason,
  });
  if (typeof headers['x-slack-signature'] !== 'string') return refuse('X-Slack-Signature missing');
  const problem = timestampProblem(headers['x-slack-request-timestamp'], nowMs);
  return problem === undefined ? undefined : refuse(problem);
}
