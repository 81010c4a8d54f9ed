/**
 * `threadline doctor` and PUBLIC_URL: Instagram takes agents' files only as links Threadline
 * serves, so its check says when PUBLIC_URL is missing, and a set PUBLIC_URL is asked for
 * Threadline's health report (a warning when it does not lead there, never a failure).
 */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { instagramProduct } from '../../adapters/instagram/index.ts';
import { metaFactory } from '../../adapters/meta/index.ts';
import { checkPlatforms, type ConfiguredPlatform } from '../../src/doctor/checks/platforms.ts';
import { checkPublicUrl } from '../../src/doctor/checks/public-url.ts';
import { startFakeGraphApi, type FakeGraphApi } from '../fakes/graph-api.ts';
import { closedPort, startDoctorWorld, type DoctorWorld } from './harness.ts';

const IG_TOKEN = 'IGAAdoctortoken';

const closing: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((c) => c.close()));
});

/** A local HTTP server answering every request with `status` and `body`. */
async function answering(status: number, body: string, contentType = 'application/json'): Promise<string> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(status, { 'content-type': contentType });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closing.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

async function instagram(): Promise<{ graph: FakeGraphApi; platforms: ConfiguredPlatform[] }> {
  const graph = await startFakeGraphApi({ token: IG_TOKEN, me: { user_id: '17841400000000001', username: 'threadline.shop' } });
  closing.push(graph);
  const factory = metaFactory([instagramProduct]);
  const settings = factory.readConfig({
    META_APP_SECRET: 'doctor-app-secret',
    META_VERIFY_TOKEN: 'doctor-verify',
    INSTAGRAM_TOKEN: IG_TOKEN,
    INSTAGRAM_GRAPH_URL: graph.graphUrl,
  });
  if (settings === undefined) throw new Error('Instagram not configured');
  return { graph, platforms: [{ factory, settings }] };
}

describe('threadline doctor: PUBLIC_URL', () => {
  it("warns on Instagram's check that agents' files need PUBLIC_URL, and not once it is set", async () => {
    const { platforms } = await instagram();
    const without = await checkPlatforms(platforms);
    expect(without).toEqual([
      { status: 'ok', subject: 'INSTAGRAM_TOKEN', detail: expect.stringContaining('threadline.shop') },
      { status: 'warn', subject: 'PUBLIC_URL', detail: expect.stringContaining("agents' files cannot be sent to Instagram") },
    ]);
    const withUrl = await checkPlatforms(platforms, { publicUrl: 'https://support.example.com' });
    expect(withUrl).toEqual([{ status: 'ok', subject: 'INSTAGRAM_TOKEN', detail: expect.stringContaining('threadline.shop') }]);
  });

  it("passes when PUBLIC_URL answers with Threadline's health report, starting or ready", async () => {
    const ready = await answering(200, '{"status":"ok"}');
    expect(await checkPublicUrl(ready)).toEqual([
      {
        status: 'ok',
        subject: 'PUBLIC_URL',
        detail: `${ready}/healthz reaches Threadline (ok): platforms can fetch agents' files from it`,
      },
    ]);
    const starting = await answering(503, '{"status":"starting"}');
    expect((await checkPublicUrl(`${starting}/`))[0]).toMatchObject({ status: 'ok', detail: expect.stringContaining('(starting)') });
  });

  it('warns, naming what it got, when PUBLIC_URL leads elsewhere or nowhere', async () => {
    const other = await answering(404, '<html>Not Found</html>', 'text/html');
    expect(await checkPublicUrl(other)).toEqual([
      {
        status: 'warn',
        subject: 'PUBLIC_URL',
        detail: expect.stringContaining(`${other}/healthz answered HTTP 404, not Threadline's health report`),
      },
    ]);
    const nowhere = `http://127.0.0.1:${await closedPort()}`;
    const [line] = await checkPublicUrl(nowhere);
    expect(line).toMatchObject({ status: 'warn', subject: 'PUBLIC_URL' });
    expect(line?.detail).toContain('did not answer (ECONNREFUSED)');
    expect(line?.detail).toContain('if Threadline is not running yet');
    expect(await checkPublicUrl(undefined)).toEqual([]);
  });

  it('prints the PUBLIC_URL line in a full run, as a warning that does not fail the doctor', async () => {
    const world: DoctorWorld = await startDoctorWorld();
    closing.push(world);
    const run = await world.run({ PUBLIC_URL: `http://127.0.0.1:${await closedPort()}` });
    expect(run.line('PUBLIC_URL')).toMatch(/^! PUBLIC_URL: .*did not answer/);
    expect(run.code).toBe(0);
  });
});
