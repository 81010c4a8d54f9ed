/** `threadline journal parked | replay <id>` on the embedded store a service uses (the backends share the contract tests). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../src/engine/jobs.ts';
import { runJournalCommand } from '../src/journal-command.ts';
import { keys } from '../src/store/keys.ts';
import { createSqliteStore } from '../src/store/sqlite-store.ts';
import type { Store } from '../src/store/store.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const QUEUE = 'telegram:777:42';
const job = (text: string): Job => ({
  type: 'inbound',
  event: {
    kind: 'message',
    platform: 'telegram',
    account: '777',
    eventId: `42:${text}`,
    messageId: text,
    contact: { id: '42', name: 'Ann' },
    occurredAt: '2026-11-25T10:00:00.000Z',
    attachments: [],
    text,
  },
});

/** A data directory with the service's store in it, holding `parkedTexts` set aside in one conversation. */
async function serviceStore(parkedTexts: readonly string[]): Promise<{ dataDir: string; store: Store; ids: string[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-journal-'));
  const store = createSqliteStore({ dataDir });
  cleanups.push(
    () => rmSync(dataDir, { recursive: true, force: true }),
    () => store.close(),
  );
  await store.journal.append(parkedTexts.map((text) => ({ queue: QUEUE, payload: job(text) })));
  const ids: string[] = [];
  for (const text of parkedTexts) {
    expect(await store.journal.lease('worker', 60_000)).toBe(QUEUE);
    const head = await store.journal.head(QUEUE, 'worker', 60_000);
    await store.journal.park(QUEUE, head!.id, 'worker', `Slack chat.postMessage failed for channel C1: msg_too_long (${text})`);
    await store.journal.release(QUEUE, 'worker');
    ids.push(head!.id);
  }
  return { dataDir, store, ids };
}

async function run(args: readonly string[], env: Record<string, string>) {
  const lines: string[] = [];
  const code = await runJournalCommand(args, env, (line) => lines.push(line), { envFile: '/nonexistent/.env' });
  return { code, lines, text: lines.join('\n') };
}

describe('threadline journal parked', () => {
  it('lists what was set aside: id, platform, conversation, when and why, and how to replay it', async () => {
    const { dataDir, ids } = await serviceStore(['first', 'second']);
    const { code, lines } = await run(['parked'], { DATA_DIR: dataDir });
    expect(code).toBe(0);
    expect(lines[0]).toBe('2 set aside (oldest first):');
    expect(lines[1]).toMatch(/^id +platform +conversation +set aside at +reason$/);
    expect(lines[2]).toMatch(
      new RegExp(
        `^${ids[0]} +telegram +${QUEUE} +\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z +Slack chat.postMessage failed for channel C1: msg_too_long \\(first\\)$`,
      ),
    );
    expect(lines[3]).toContain(`${ids[1]} `);
    expect(lines.at(-1)).toBe('Process one again with: threadline journal replay <id>');
  });

  it('says when nothing is set aside', async () => {
    const { dataDir } = await serviceStore([]);
    expect(await run(['parked'], { DATA_DIR: dataDir })).toMatchObject({ code: 0, lines: ['No messages are set aside.'] });
  });

  it('refuses a DATA_DIR without a store instead of creating an empty one', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'threadline-journal-empty-'));
    cleanups.push(() => rmSync(empty, { recursive: true, force: true }));
    const { code, text } = await run(['parked'], { DATA_DIR: empty });
    expect(code).toBe(1);
    expect(text).toBe(`No Threadline store at ${join(empty, 'threadline.db')}: run this with the DATA_DIR (or STORE_URL) the service uses`);
  });

  it('says that the store file is not a database, and what to do', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'threadline-journal-garbage-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    writeFileSync(join(dataDir, 'threadline.db'), Buffer.alloc(8192, 0x5a));
    const { code, text } = await run(['parked'], { DATA_DIR: dataDir });
    expect(code).toBe(1);
    expect(text).toContain('is not a valid Threadline database');
  });

  it('names a bad STORE_URL', async () => {
    expect(await run(['parked'], { STORE_URL: 'http://example.com' })).toMatchObject({
      code: 1,
      text: expect.stringContaining('STORE_URL must be a redis://'),
    });
  });
});

describe('threadline journal replay', () => {
  it("puts the entry back at the end of its conversation's queue, to be processed again", async () => {
    const { dataDir, store, ids } = await serviceStore(['first', 'second']);
    const { code, text } = await run(['replay', ids[0]!], { DATA_DIR: dataDir });
    expect(code).toBe(0);
    expect(text).toMatch(new RegExp(`^Entry ${ids[0]} is back in conversation ${QUEUE} as entry \\d+: Threadline processes it now`));
    expect((await store.journal.parked()).map((p) => p.id)).toEqual([ids[1]]);
    expect(await store.journal.lease('worker', 60_000)).toBe(QUEUE);
    expect((await store.journal.head(QUEUE, 'worker', 60_000))?.payload).toEqual(job('first'));
  });

  it('says so when the event was processed since, through a redelivery', async () => {
    const { dataDir, store, ids } = await serviceStore(['first']);
    await store.set(keys.processed('in:telegram:777:42:first'), true);
    const { code, lines } = await run(['replay', ids[0]!], { DATA_DIR: dataDir });
    expect(code).toBe(0);
    expect(lines[1]).toMatch(/^Note: this event was processed since/);
  });

  it('fails with a clear error for an unknown id', async () => {
    const { dataDir } = await serviceStore(['first']);
    expect(await run(['replay', '4242'], { DATA_DIR: dataDir })).toEqual({
      code: 1,
      lines: ['No message set aside has id 4242: list them with `threadline journal parked`'],
      text: expect.any(String),
    });
  });

  it('prints its usage for anything else', async () => {
    expect(await run([], {})).toMatchObject({
      code: 2,
      lines: [expect.stringMatching(/^Usage: threadline journal parked/), expect.any(String)],
    });
    expect(await run(['replay'], {})).toMatchObject({
      code: 2,
      lines: ['Unknown journal command: replay', expect.any(String), expect.any(String)],
    });
    expect(await run(['help'], {})).toMatchObject({ code: 0 });
  });
});
