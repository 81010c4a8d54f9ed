/**
 * How much the HTTP server takes from one client, and for how long: the timeouts Node applies to
 * every connection and the number of request bodies read at once. Sizes of bodies are in body.ts
 * (webhooks) and src/slack/http-receiver.ts (`POST /slack/events`). README "Reliability" lists them.
 * @see https://nodejs.org/api/http.html#httpcreateserveroptions-requestlistener
 */

/** What {@link DEFAULT_HTTP_LIMITS} sets; tests pass small values. */
export interface HttpLimits {
  /** Time to receive the request line and headers; a client still sending them after this gets 408 and is disconnected. */
  readonly headersTimeoutMs: number;
  /** Time to receive the whole request, body included. Answering it may take longer (the journal write). */
  readonly requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open after a response. */
  readonly keepAliveTimeoutMs: number;
  /** How often Node checks connections against the two timeouts above (so a timeout fires up to this much late). */
  readonly connectionsCheckingIntervalMs: number;
  /**
   * Request bodies (webhooks and `/slack/events`) read at the same time. One more is answered 503
   * with Retry-After, unread: busy is a transient state, and Slack and the platforms deliver again.
   */
  readonly maxConcurrentBodies: number;
}

/**
 * Seconds, not Node's defaults (60 s for headers, 300 s for the request, checked every 30 s): a
 * platform or Slack sends a webhook in milliseconds, so a connection that needs longer is broken or
 * hostile. 64 bodies of at most 1 MiB bound the memory unauthenticated senders can hold to 64 MiB.
 */
export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  // Every 5 s: each check wakes an idle process (a 1 s check alone cost about 0.1 ms of CPU per
  // second, a tenth of the idle budget), and a slow client is cut off at most 5 s late.
  connectionsCheckingIntervalMs: 5_000,
  maxConcurrentBodies: 64,
};

/** Seconds a 503 "busy" answer asks the client to wait (`Retry-After`). */
export const BUSY_RETRY_AFTER_SECONDS = 1;
