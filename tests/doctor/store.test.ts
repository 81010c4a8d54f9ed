import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closedPort, DEFAULT_CHANNEL, startDoctorWorld, type DoctorWorld } from './harness.ts';

let world: DoctorWorld;
beforeEach(async () => {
  world = await startDoctorWorld();
});
afterEach(async () => {
  await world.close();
});

describe('threadline doctor: the embedded store', () => {
  it('names the file, says when it is new, and leaves no probe behind', async () => {
    const file = join(world.dataDir, 'threadline.db');
    const first = await world.run();
    expect(first.line('store')).toBe(
      `✓ store: embedded store ${file}: a write, a read and a delete work (a new, empty store: if Threadline ran before, its data is elsewhere; ` +
        `check DATA_DIR ${world.dataDir} and the working directory ${process.cwd()})`,
    );
    const second = await world.run();
    expect(second.line('store')).toBe(`✓ store: embedded store ${file}: a write, a read and a delete work`);
    const db = new Database(file, { readonly: true });
    const probes = db.prepare("SELECT count(*) AS n FROM kv WHERE key LIKE '%doctor:probe:%'").get() as { n: number };
    db.close();
    expect(probes.n).toBe(0);
  });

  it('fails with the path when DATA_DIR cannot hold the file', async () => {
    const notADirectory = join(world.dataDir, 'a-file');
    writeFileSync(notADirectory, '');
    const run = await world.run({ DATA_DIR: join(notADirectory, 'data') });
    expect(run.code).toBe(1);
    expect(run.line('store')).toMatch(
      new RegExp(
        `^✗ store: Embedded store ${join(notADirectory, 'data', 'threadline.db')}: opening \\(check that DATA_DIR is writable\\) failed: `,
      ),
    );
  });
});

describe('threadline doctor: Redis', () => {
  it('names the URL and what to do when Redis is unreachable, and still checks the default channel', async () => {
    const port = await closedPort();
    const run = await world.run({ STORE_URL: `redis://:s3cretpass@127.0.0.1:${port}/2` });
    expect(run.code).toBe(1);
    expect(run.line('store')).toBe(
      `✗ store: Redis at redis://127.0.0.1:${port}/2 is unreachable: connect ECONNREFUSED 127.0.0.1:${port}. Check STORE_URL and that Redis is running`,
    );
    expect(run.line('routes')).toBe('! routes: not checked: the store could not be read (see the store line above)');
    expect(run.line(`#c0default (${DEFAULT_CHANNEL})`)).toMatch(/^✓ /);
    expect(run.text).not.toContain('s3cretpass');
  });
});
