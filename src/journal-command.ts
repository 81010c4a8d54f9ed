/**
 * `threadline journal …`: what an operator does with the journal entries Threadline set aside
 * (a message it tried to show several times and could not, see src/engine/worker.ts):
 *
 *   threadline journal parked        lists them: id, platform, conversation, when, why
 *   threadline journal replay <id>   puts one back in its conversation's queue, to be processed again
 *
 * It opens the store the service uses (STORE_URL, else the embedded file in DATA_DIR, read from
 * the environment and `.env` as the service reads them); a running Threadline picks a replayed
 * entry up at once. It never talks to Slack.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Env, loadStoreConfig } from './config.ts';
import { parseConversationId } from './engine/conversations.ts';
import { type Job, jobId } from './engine/jobs.ts';
import { ConfigError, StoreError } from './errors.ts';
import { createStore } from './store/create-store.ts';
import { keys } from './store/keys.ts';
import type { ParkedEntry, Store } from './store/store.ts';

const USAGE = [
  'Usage: threadline journal parked         list the messages Threadline set aside',
  '       threadline journal replay <id>    process one of them again (its id from the list)',
];

/** Options for tests. */
export interface JournalCommandOptions {
  /** The `.env` file read below the environment (default `.env` in the working directory). */
  readonly envFile?: string;
}

/**
 * Runs `threadline journal <args…>`, writing its answer line by line to `out`. Resolves with the
 * exit code: 0 done, 1 failed (unknown id, store unavailable, bad setting), 2 not a valid command.
 */
export async function runJournalCommand(
  args: readonly string[],
  env: Env,
  out: (line: string) => void,
  options: JournalCommandOptions = {},
): Promise<number> {
  const [command, id] = args;
  const action: ((store: Store) => Promise<number>) | undefined =
    command === 'parked' && args.length === 1
      ? (store) => listParked(store, out)
      : command === 'replay' && id !== undefined && args.length === 2
        ? (store) => replay(store, id, out)
        : undefined;
  if (action === undefined) {
    const help = command === undefined || command === 'help' || command === '--help';
    if (!help) out(`Unknown journal command: ${args.join(' ')}`);
    USAGE.forEach((line) => out(line));
    return help && command !== undefined ? 0 : 2;
  }
  let store: Store | undefined;
  try {
    store = await openStore(env, options);
    return await action(store);
  } catch (error) {
    if (!(error instanceof StoreError || error instanceof ConfigError)) throw error;
    out(error.message);
    return 1;
  } finally {
    await store?.close();
  }
}

/** The service's store; refuses to create an empty embedded one where there is none (a wrong DATA_DIR). */
async function openStore(env: Env, options: JournalCommandOptions): Promise<Store> {
  const config = loadStoreConfig(env, options.envFile === undefined ? {} : { envFile: options.envFile });
  const file = join(config.dataDir, 'threadline.db');
  if (config.storeUrl === undefined && !existsSync(file)) {
    throw new StoreError(`No Threadline store at ${file}: run this with the DATA_DIR (or STORE_URL) the service uses`);
  }
  return createStore({ url: config.storeUrl, dataDir: config.dataDir });
}

async function listParked(store: Store, out: (line: string) => void): Promise<number> {
  const parked = await store.journal.parked();
  if (parked.length === 0) {
    out('No messages are set aside.');
    return 0;
  }
  out(`${parked.length} set aside (oldest first):`);
  const rows = [['id', 'platform', 'conversation', 'set aside at', 'reason'], ...parked.map(toRow)];
  const widths = [0, 1, 2, 3].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) out(row.map((cell, column) => (column < 4 ? cell.padEnd(widths[column]!) : cell)).join('  '));
  out('Process one again with: threadline journal replay <id>');
  return 0;
}

function toRow(entry: ParkedEntry): string[] {
  const platform = parseConversationId(entry.queue)?.platform ?? '?';
  return [entry.id, platform, entry.queue, new Date(entry.parkedAt).toISOString(), entry.reason];
}

async function replay(store: Store, id: string, out: (line: string) => void): Promise<number> {
  const entry = await store.journal.replay(id);
  if (entry === undefined) {
    out(`No message set aside has id ${id}: list them with \`threadline journal parked\``);
    return 1;
  }
  out(
    `Entry ${id} is back in conversation ${entry.queue} as entry ${entry.id}: Threadline processes it now (if it fails again, it is set aside again).`,
  );
  // A redelivery of the same event may have gone through since; the worker then skips the replay.
  if (await store.get(keys.processed(jobId(entry.payload as Job)))) {
    out('Note: this event was processed since (the platform delivered it again), so it will not be shown twice.');
  }
  return 0;
}
