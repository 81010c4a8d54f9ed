/**
 * What Threadline's two Bolt receivers (socket-mode-receiver.ts, http-receiver.ts) share: a Slack
 * request is acknowledged only after `app.processEvent` finished, so an agent's reply is journaled
 * before Slack hears "received". If processing failed, the Socket Mode envelope stays unacknowledged
 * and an HTTP request gets 500: Slack delivers an event again, and the engine's dedupe makes the
 * redelivery harmless.
 *
 * Bolt's App calls `ack()` for Events API requests itself, before the listeners run. The `ack` handed
 * to processEvent here only records the answer; the transport sends it once processing is done. The
 * guarantee rests on Bolt's documented extension point (`Receiver`, `ReceiverEvent`,
 * `app.processEvent`) and on SocketModeClient's public `slack_event`, not on any receiver internals.
 * @see https://docs.slack.dev/tools/bolt-js/concepts/receiver
 * @see https://docs.slack.dev/apis/events-api/using-socket-mode#acknowledge
 */
import type { AckFn, App } from '@slack/bolt';
import { ErrorCode, isCodedError, ReceiverMultipleAckError } from '@slack/bolt';
import type { Logger } from 'pino';

/** One Slack request as a transport hands it over: the parsed payload and Slack's retry information. */
export interface SlackRequest {
  readonly body: Record<string, unknown>;
  readonly retryNum?: number;
  readonly retryReason?: string;
}

/**
 * How processing ended. `ok`: acknowledge now, with `response` (what was passed to `ack()`, if
 * anything; `acked` false when neither Bolt nor a listener called it). Not `ok`: do not acknowledge.
 */
export type Processed =
  | { readonly ok: true; readonly response: unknown; readonly acked: boolean }
  | { readonly ok: false; readonly error: unknown };

/**
 * Runs `request` through every listener of `app` and resolves once they all finished, with what to
 * acknowledge. Never rejects: a failure is `{ ok: false }`. A second `ack()` throws Bolt's
 * ReceiverMultipleAckError into the listener, as Bolt's own HTTP receiver does.
 */
export async function processThenAcknowledge(app: App, request: SlackRequest): Promise<Processed> {
  let acked = false;
  let response: unknown;
  const ack: AckFn<unknown> = async (body) => {
    if (acked) throw new ReceiverMultipleAckError();
    acked = true;
    response = body;
  };
  try {
    await app.processEvent({
      body: request.body,
      ack,
      ...(request.retryNum === undefined ? {} : { retryNum: request.retryNum }),
      ...(request.retryReason === undefined ? {} : { retryReason: request.retryReason }),
    });
  } catch (error) {
    return { ok: false, error };
  }
  return { ok: true, response, acked };
}

/**
 * Logs a request that was not processed (and so not acknowledged), with Bolt's error code. An
 * AuthorizationError means auth.test failed for SLACK_BOT_TOKEN (Threadline's `authorize` is that
 * call). Bolt's default acknowledges it so that Slack stops retrying; Threadline does not, so a
 * Slack hiccup before start-up finished cannot lose an agent's reply.
 */
export function logNotProcessed(logger: Logger, error: unknown, detail: Readonly<Record<string, unknown>>): void {
  const code = error instanceof Error && isCodedError(error) ? error.code : undefined;
  const message =
    code === ErrorCode.AuthorizationError
      ? 'slack request not processed: SLACK_BOT_TOKEN could not be checked (auth.test); not acknowledged'
      : 'slack request not processed; not acknowledged, so Slack delivers an event again';
  logger.error({ err: error, ...(code === undefined ? {} : { code }), ...detail }, message);
}
