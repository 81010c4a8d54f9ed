/** Raw request bodies with a size cap. Signatures are computed over these exact bytes, so nothing is decoded. */
import type { IncomingMessage } from 'node:http';

/** 1 MiB: far above any documented webhook payload (media arrives as references, not bytes). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** The outcome of reading a body: the bytes, or why there are none. Never throws. */
export type BodyResult =
  | { readonly ok: true; readonly body: Buffer }
  /** The body is (or declares itself) larger than `limit`; reading stopped there. Answer 413. */
  | { readonly ok: false; readonly reason: 'too_large'; readonly limit: number }
  /** The client went away or the stream failed before the end; there is no one to answer. */
  | { readonly ok: false; readonly reason: 'aborted' };

/**
 * Reads the whole body of `request` into one Buffer, holding at most `maxBytes` in memory. A larger body, or a
 * `content-length` announcing one, resolves to `too_large` at once and the rest is not read.
 */
export function readBody(request: IncomingMessage, maxBytes: number = DEFAULT_MAX_BODY_BYTES): Promise<BodyResult> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    request.pause();
    return Promise.resolve({ ok: false, reason: 'too_large', limit: maxBytes });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyResult) => {
      request.off('data', onData).off('end', onEnd).off('error', onAbort).off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        request.pause();
        finish({ ok: false, reason: 'too_large', limit: maxBytes });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, body: Buffer.concat(chunks, size) });
    const onAbort = () => finish({ ok: false, reason: 'aborted' });
    // 'close' before 'end' means the connection dropped mid-body.
    const onClose = () => {
      if (!request.complete) onAbort();
    };
    request.on('data', onData).on('end', onEnd).on('error', onAbort).on('close', onClose);
  });
}
