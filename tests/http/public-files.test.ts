/**
 * Outgoing files served at `GET /files/<id>` (PUBLIC_URL): what Instagram's fetcher gets back, and
 * what anyone guessing gets (404, never a listing, never another path).
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createPublicFiles, PUBLIC_FILE_TTL_MS } from '../../src/http/public-files.ts';
import { createHttpServer } from '../../src/http/server.ts';
import { StoreError } from '../../src/errors.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import type { Store } from '../../src/store/store.ts';
import { captureLogger } from '../support/capture-logger.ts';

const PDF = new Uint8Array(Buffer.from('%PDF-1.4 return label'));
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function start(options: { store?: Store; withFiles?: boolean } = {}) {
  let clock = Date.parse('2026-12-03T10:00:00.000Z');
  const now = () => clock;
  const store = options.store ?? createMemoryStore({ now });
  const files = createPublicFiles({ store, publicUrl: 'https://threadline.example.com/', now });
  const capture = captureLogger({ level: 'debug' });
  const server = createHttpServer({
    routes: [],
    intake: { accept: async () => {} },
    health: async () => ({ ok: true }),
    logger: capture.logger,
    ...(options.withFiles === false ? {} : { files }),
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  /** The published URL's path, fetched from the test server. */
  const local = (url: string) => `${base}${new URL(url).pathname}`;
  return {
    files,
    base,
    local,
    capture,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe('published files', () => {
  it('are served with their bytes, type, length and file name at an unguessable link under PUBLIC_URL', async () => {
    const { files, local } = await start();
    const url = await files.publish({ data: PDF, fileName: 'Rücksendeetikett.pdf', mimeType: 'application/pdf' });
    expect(url).toMatch(/^https:\/\/threadline\.example\.com\/files\/[A-Za-z0-9_-]{43}$/);
    const response = await fetch(local(url));
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(PDF))).toBe(true);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-length')).toBe(String(PDF.byteLength));
    expect(response.headers.get('content-disposition')).toBe(
      'inline; filename="R?cksendeetikett.pdf"; filename*=UTF-8\'\'R%C3%BCcksendeetikett.pdf',
    );
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const head = await fetch(local(url), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(PDF.byteLength));
  });

  it('gives each publish its own link, and offers types a browser could run as a download', async () => {
    const { files, local } = await start();
    const first = await files.publish({ data: PDF, fileName: 'a.html', mimeType: 'text/html' });
    const second = await files.publish({ data: PDF, fileName: 'a.html', mimeType: 'text/html' });
    expect(first).not.toBe(second);
    const response = await fetch(local(first));
    expect(response.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(response.headers.get('content-security-policy')).toBe('sandbox');
  });

  it('answers 404 once the link has expired (one hour)', async () => {
    const { files, local, advance } = await start();
    const url = await files.publish({ data: PDF, fileName: 'label.pdf', mimeType: 'application/pdf' });
    advance(PUBLIC_FILE_TTL_MS - 1000);
    expect((await fetch(local(url))).status).toBe(200);
    advance(1000);
    expect((await fetch(local(url))).status).toBe(404);
  });

  it('answers 404 to unknown and malformed ids, to /files/ itself and to deeper paths, and 405 to other methods', async () => {
    const { files, base, local } = await start();
    const url = await files.publish({ data: PDF, fileName: 'label.pdf', mimeType: 'application/pdf' });
    const unknown = `${base}/files/${'A'.repeat(43)}`;
    for (const path of [unknown, `${base}/files/`, `${base}/files`, `${base}/files/..%2fhealthz`, `${local(url)}/x`, `${local(url)}x`]) {
      const response = await fetch(path);
      expect(response.status, path).toBe(404);
      expect(await response.text(), path).toBe('not found');
    }
    expect((await fetch(local(url), { method: 'POST', body: 'x' })).status).toBe(405);
  });

  it('never writes a file id to the log', async () => {
    const { files, local, capture } = await start();
    const url = await files.publish({ data: PDF, fileName: 'label.pdf', mimeType: 'application/pdf' });
    await fetch(local(url));
    expect(capture.text()).toContain('/files/:id');
    expect(capture.text()).not.toContain(new URL(url).pathname.slice('/files/'.length));
  });

  it('are not served at all without PUBLIC_URL', async () => {
    const { files, local } = await start({ withFiles: false });
    const url = await files.publish({ data: PDF, fileName: 'label.pdf', mimeType: 'application/pdf' });
    expect((await fetch(local(url))).status).toBe(404);
  });

  it('answers 503 while the store is down, so the platform can fetch again later', async () => {
    const healthy = createMemoryStore();
    const down: Store = { ...healthy, get: async () => Promise.reject(new StoreError('store unreachable')) };
    const { files, local } = await start({ store: down });
    const url = await files.publish({ data: PDF, fileName: 'label.pdf', mimeType: 'application/pdf' });
    expect((await fetch(local(url))).status).toBe(503);
  });
});
