/**
 * Answering a request without reading its body: a refusal decided from the headers alone (a wrong
 * secret header, a stale Slack timestamp, a declared size over the cap, no free body slot).
 */
import type { ServerResponse } from 'node:http';

/**
 * Writes `status` with a short plain-text `reason` and `Connection: close`. The unread rest of the
 * body cannot be followed by another request on this connection, so Node closes it once the answer
 * is flushed (after the client has the answer: it sees the status, not a reset), and the rest of a
 * large body is never read. Does nothing when an answer was already sent.
 */
export function answerUnread(
  response: ServerResponse,
  status: number,
  reason: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (response.headersSent || response.writableEnded || response.destroyed) return;
  const bytes = Buffer.from(reason);
  response.writeHead(status, {
    ...headers,
    connection: 'close',
    'content-type': 'text/plain; charset=utf-8',
    'content-length': bytes.length,
  });
  response.end(bytes);
}
