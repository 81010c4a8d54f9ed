/**
 * `GET /files/<id>` (and `HEAD`): a published outgoing file (src/http/public-files.ts), with its
 * Content-Type, Content-Length and file name. An unknown, malformed or expired id is 404, as is
 * `/files/` itself and any deeper path: there is no listing and nothing else under the prefix.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { create as contentDisposition } from 'content-disposition';
import type { Logger } from '../logger.ts';
import { PUBLIC_FILES_PATH, type PublicFileStore } from './public-files.ts';

/** Types a browser may show in place; anything else is offered as a download, so no uploaded page runs under this origin. */
const INLINE = /^(image|audio|video)\/|^application\/pdf$/;

/** Whether `path` is under the files prefix (and so never a webhook or another route). */
export function isFilePath(path: string): boolean {
  return path.startsWith(PUBLIC_FILES_PATH);
}

/** Serves one request under PUBLIC_FILES_PATH. */
export async function serveFile(
  files: Pick<PublicFileStore, 'read'>,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  log: Logger,
): Promise<void> {
  const method = request.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    return plain(response, 405, 'method not allowed');
  }
  const id = path.slice(PUBLIC_FILES_PATH.length);
  let file: Awaited<ReturnType<PublicFileStore['read']>>;
  try {
    file = await files.read(id);
  } catch (err) {
    log.error({ err }, 'could not read a published file from the store');
    return plain(response, 503, 'temporarily unavailable, retry later');
  }
  if (file === undefined) return plain(response, 404, 'not found');
  response.writeHead(200, {
    'content-type': file.mimeType,
    'content-length': file.data.byteLength,
    'content-disposition': contentDisposition(file.fileName, { type: INLINE.test(file.mimeType) ? 'inline' : 'attachment' }),
    'x-content-type-options': 'nosniff',
    // Never run as a page of this origin, and never kept by a cache past the link's expiry.
    'content-security-policy': 'sandbox',
    'cache-control': 'no-store',
  });
  response.end(Buffer.from(file.data.buffer, file.data.byteOffset, file.data.byteLength));
}

function plain(response: ServerResponse, status: number, body: string): void {
  const bytes = Buffer.from(body);
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': bytes.length });
  response.end(bytes);
}
