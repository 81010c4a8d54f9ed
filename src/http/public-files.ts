/**
 * Outgoing files served from Threadline's own public address, for platforms that take a file only as
 * a link (Instagram's Send API fetches `attachment.payload.url`). The bytes live in the shared store
 * under an id of 256 random bits with a TTL, so any instance behind a load balancer can serve them
 * and nobody can guess or list them; `src/http/file-route.ts` serves `GET /files/<id>`.
 */
import { randomBytes } from 'node:crypto';
import type { PublicFiles, PublishedFile } from '../channel.ts';
import { keys } from '../store/keys.ts';
import type { Store } from '../store/store.ts';

/** How long a published file stays reachable: long enough for the platform to fetch it, short enough not to linger. */
export const PUBLIC_FILE_TTL_MS = 60 * 60 * 1000;

/** The path prefix published files are served under. */
export const PUBLIC_FILES_PATH = '/files/';

/** An id as `publish` makes them: 32 random bytes, base64url (43 characters). Anything else is unknown at once. */
const FILE_ID = /^[A-Za-z0-9_-]{43}$/;

/** A published file as the server serves it. */
export interface ServedFile {
  readonly data: Uint8Array;
  readonly fileName: string;
  readonly mimeType: string;
  /** Epoch milliseconds after which it is gone. */
  readonly expiresAt: number;
}

/** What the store keeps (JSON: the bytes as base64). */
interface StoredFile {
  readonly data: string;
  readonly fileName: string;
  readonly mimeType: string;
  readonly expiresAt: number;
}

/** Publishing for the channels, reading for the HTTP server. */
export interface PublicFileStore extends PublicFiles {
  /** The file behind `id`, or undefined when the id is malformed, unknown or expired. Throws StoreError when the store is down. */
  read(id: string): Promise<ServedFile | undefined>;
}

/**
 * Public files on `store`, linked under `publicUrl` (PUBLIC_URL, without a trailing slash). A TTL
 * above PUBLIC_FILE_TTL_MS is capped to it; expiry is checked against `now` as well as by the store.
 */
export function createPublicFiles(options: {
  readonly store: Store;
  readonly publicUrl: string;
  readonly now: () => number;
}): PublicFileStore {
  const base = options.publicUrl.replace(/\/+$/, '');
  return {
    async publish(file: PublishedFile, ttlMs = PUBLIC_FILE_TTL_MS): Promise<string> {
      const ttl = Math.max(1, Math.min(ttlMs, PUBLIC_FILE_TTL_MS));
      const id = randomBytes(32).toString('base64url');
      const stored: StoredFile = {
        data: Buffer.from(file.data).toString('base64'),
        fileName: file.fileName,
        mimeType: file.mimeType ?? 'application/octet-stream',
        expiresAt: options.now() + ttl,
      };
      await options.store.set(keys.publicFile(id), stored, ttl);
      return `${base}${PUBLIC_FILES_PATH}${id}`;
    },
    async read(id: string): Promise<ServedFile | undefined> {
      if (!FILE_ID.test(id)) return undefined;
      const stored = await options.store.get<StoredFile>(keys.publicFile(id));
      if (stored === undefined || stored.expiresAt <= options.now()) return undefined;
      return { ...stored, data: new Uint8Array(Buffer.from(stored.data, 'base64')) };
    },
  };
}
