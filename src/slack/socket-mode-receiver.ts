/**
 * Socket Mode as a Bolt receiver that acknowledges an envelope only after its listeners finished (for
 * an agent's reply: after it was journaled). With Bolt's own SocketModeReceiver an Events API envelope
 * is acknowledged before the listeners run (App acks events first), so a crash or a storage failure in
 * between would lose the reply without a trace; left unacknowledged, Slack delivers the envelope
 * again. A listener that acks with a body (`/inbox`) still has that body sent, once processing is done.
 * @see https://docs.slack.dev/apis/events-api/using-socket-mode#acknowledge
 * @see https://docs.slack.dev/tools/node-slack-sdk/socket-mode
 */
import type { App, Logger as BoltLogger, Receiver, webApi } from '@slack/bolt';
import { SocketModeClient } from '@slack/socket-mode';
import type { Logger } from 'pino';
import { logNotProcessed, processThenAcknowledge } from './receiver.ts';

/** Options for {@link createSocketModeReceiver}. */
export interface SocketModeReceiverOptions {
  /** App-level token (xapp-) with `connections:write`. */
  readonly appToken: string;
  /** For the Socket Mode client's own logging. */
  readonly boltLogger: BoltLogger;
  readonly logger: Logger;
  /** How long to wait for a pong before reconnecting (the client's default 5000 ms). */
  readonly clientPingTimeoutMs?: number;
  /** For apps.connections.open: the Web API base URL and retries (else the client calls slack.com). */
  readonly clientOptions: Pick<webApi.WebClientOptions, 'slackApiUrl' | 'retryConfig'>;
}

/**
 * What SocketModeClient passes to `slack_event` listeners, one per envelope (hello and disconnect
 * messages excepted). `ack` sends the envelope's acknowledgement, with an optional payload.
 * @see https://docs.slack.dev/apis/events-api/using-socket-mode
 */
interface SocketModeEnvelope {
  readonly ack: (response?: unknown) => Promise<void>;
  readonly envelope_id: string;
  readonly type: string;
  readonly body: Record<string, unknown>;
  readonly retry_num?: number;
  readonly retry_reason?: string;
}

/** A Bolt Receiver over its own SocketModeClient. `start` connects (resolves once connected); `stop` disconnects. */
export function createSocketModeReceiver(options: SocketModeReceiverOptions): Receiver {
  const { logger } = options;
  const client = new SocketModeClient({
    appToken: options.appToken,
    logger: options.boltLogger,
    clientOptions: options.clientOptions,
    ...(options.clientPingTimeoutMs === undefined ? {} : { clientPingTimeout: options.clientPingTimeoutMs }),
  });
  let app: App | undefined;

  async function receive(envelope: SocketModeEnvelope): Promise<void> {
    const detail = { envelopeId: envelope.envelope_id, envelopeType: envelope.type };
    if (!app) {
      logger.error(detail, 'slack envelope arrived before Bolt initialised the receiver; not acknowledged');
      return;
    }
    const processed = await processThenAcknowledge(app, {
      body: envelope.body,
      ...(envelope.retry_num === undefined ? {} : { retryNum: envelope.retry_num }),
      ...(envelope.retry_reason === undefined ? {} : { retryReason: envelope.retry_reason }),
    });
    if (!processed.ok) return logNotProcessed(logger, processed.error, detail);
    try {
      await envelope.ack(processed.response);
    } catch (error) {
      // The connection dropped after processing: Slack delivers the envelope again, the engine dedupes it.
      logger.warn({ err: error, ...detail }, 'socket mode ack failed');
    }
  }

  // eventemitter3 ignores what a listener returns, so receive() must never reject.
  client.on('slack_event', (envelope: SocketModeEnvelope) => {
    receive(envelope).catch((error: unknown) =>
      logger.error({ err: error, envelopeId: envelope.envelope_id }, 'slack envelope handling failed'),
    );
  });

  return {
    init(given) {
      app = given;
    },
    start: () => client.start(),
    stop: () => client.disconnect(),
  };
}
