/**
 * SocketModeClient that survives an envelope without a usable payload. The client dereferences
 * `payload.event.type` of every `events_api` envelope before emitting it, so an envelope whose
 * payload (or event) is null threw inside its WebSocket message handler: an unhandled rejection, and
 * the envelope was never acknowledged, so Slack would send it again. Here such a payload is replaced
 * by an empty one before the client reads it: the envelope reaches the receiver, which finds it
 * malformed (payload-shape.ts), acknowledges it and ignores it. Any other error the client throws
 * while handling a message is logged instead of becoming an unhandled rejection.
 * `onWebSocketMessage` is the client's protected extension point (its .d.ts).
 * @see https://docs.slack.dev/apis/events-api/using-socket-mode
 */
import { SocketModeClient, type SocketModeOptions } from '@slack/socket-mode';
import type { Logger } from 'pino';

/** A SocketModeClient whose message handling never rejects; see the module comment. */
export class GuardedSocketModeClient extends SocketModeClient {
  readonly #logger: Logger;

  constructor(options: SocketModeOptions, logger: Logger) {
    super(options);
    this.#logger = logger;
  }

  protected override async onWebSocketMessage(data: string | ArrayBuffer, isBinary: boolean): Promise<void> {
    try {
      await super.onWebSocketMessage(
        isBinary ? data : this.#usable(typeof data === 'string' ? data : new TextDecoder().decode(data)),
        isBinary,
      );
    } catch (error) {
      this.#logger.error({ err: error }, 'socket mode message handling failed; the message is ignored');
    }
  }

  /** The message, with an empty payload (and event) where the envelope's is not an object. */
  #usable(text: string): string {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return text; // The client logs and ignores what is not JSON.
    }
    if (!isRecord(message) || typeof message.envelope_id !== 'string') return text;
    const { payload } = message;
    const events = message.type === 'events_api';
    if (isRecord(payload) && (!events || isRecord(payload.event))) return text;
    this.#logger.warn(
      { envelopeId: message.envelope_id, envelopeType: message.type },
      'socket mode envelope without a payload object; handed on empty',
    );
    const usable = isRecord(payload) ? { ...payload, event: {} } : events ? { event: {} } : {};
    return JSON.stringify({ ...message, payload: usable });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
