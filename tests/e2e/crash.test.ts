/**
 * The crash test: the real service, as a child process (`node --import tsx src/main.ts`) on the
 * embedded store, is killed with SIGKILL in the middle of a burst of Telegram webhook deliveries,
 * twice, and restarted each time on the same DATA_DIR and port. Telegram redelivers what was not
 * acknowledged (and, as platforms do, some of what was). What agents see in Slack afterwards: every
 * acknowledged message exactly once, in its customer's one thread, in acknowledgement order.
 *
 * The fakes of Slack and Telegram run in this test process; the child reaches them through
 * SLACK_API_URL and TELEGRAM_API_ROOT. Slack pacing is raised (SLACK_POSTS_PER_SECOND) so that
 * 120 posts into one channel do not take two minutes; ordering and exactly-once do not depend on it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import type { Update } from 'grammy/types';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { startFakeSlack, type FakeMessage, type FakeSlack } from '../fakes/slack-api.ts';
import { shownMessages } from '../fakes/slack-state.ts';
import { startFakeTelegramApi, type FakeTelegramApi } from '../fakes/telegram-api.ts';
import { BOT_TOKEN, DEFAULT_CHANNEL, SIGNING_SECRET, TELEGRAM_TOKEN, WEBHOOK_SECRET, eventually } from './harness.ts';
import { freePort, send } from './service-process.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CUSTOMERS = ['Ada', 'Bruno', 'Chidi', 'Dagny', 'Emeka', 'Freya', 'Goran', 'Hana'] as const;
const MESSAGES_PER_CUSTOMER = 15;
/** The child is killed the moment this many deliveries (in all) have been acknowledged. */
const KILL_AT_ACKS = [40, 85] as const;

/** One customer's side of the burst: the updates Telegram will deliver, in order. */
interface CustomerFeed {
  readonly name: string;
  readonly updates: readonly Update[];
  /** Index of the first update not yet acknowledged. */
  next: number;
  /** Texts of the acknowledged updates, in acknowledgement order. */
  readonly acknowledged: string[];
}

/** One run of the service as a child process. */
interface Service {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  killed: boolean;
}

const output: string[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  output.length = 0;
});

describe('crash safety of the embedded store', () => {
  it('SIGKILL twice during a webhook burst: every acknowledged message reaches Slack exactly once, in order, one thread per customer', async ({
    onTestFailed,
  }) => {
    onTestFailed(() => {
      console.error(`--- output of the service (last 200 lines) ---\n${output.slice(-200).join('\n')}`);
    });
    const slack = await startFakeSlack({ botToken: BOT_TOKEN });
    const telegram = await startFakeTelegramApi({ token: TELEGRAM_TOKEN });
    const dataDir = mkdtempSync(join(tmpdir(), 'threadline-crash-'));
    cleanups.push(async () => {
      await slack.close();
      await telegram.close();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const port = await freePort();
    const env = serviceEnv({ slack, telegram, dataDir, port });
    const feeds = CUSTOMERS.map((name, index) => customerFeed(name, index));
    const totalAcks = () => feeds.reduce((sum, feed) => sum + feed.acknowledged.length, 0);

    for (const [run, killAt] of [...KILL_AT_ACKS, undefined].entries()) {
      const service = await startService(env, port, run + 1);
      if (run > 0) {
        // The platform redelivers what it got no 200 for, and, as platforms do, some of what it did:
        // each customer's first update and their last acknowledged one.
        const again = feeds.flatMap((feed) => (feed.next === 0 ? [] : [feed.updates[0]!, feed.updates[feed.next - 1]!]));
        expect(await Promise.all(again.map((update) => deliverOnce(port, update)))).not.toContain(false);
      }
      await Promise.all(
        feeds.map((feed) =>
          deliverInOrder(port, feed, service, () => {
            if (killAt !== undefined && totalAcks() >= killAt && !service.killed) {
              service.killed = true;
              process.kill(service.child.pid!, 'SIGKILL');
            }
          }),
        ),
      );
      if (killAt === undefined) {
        expect(feeds.every((feed) => feed.next === MESSAGES_PER_CUSTOMER)).toBe(true);
        await waitForDrain(dataDir, slack, feeds);
        // Drained: stop it as an operator would.
        service.child.kill('SIGTERM');
        await service.exited;
      } else {
        await service.exited;
        expect(totalAcks()).toBeGreaterThanOrEqual(killAt);
      }
    }

    expect(totalAcks()).toBe(CUSTOMERS.length * MESSAGES_PER_CUSTOMER);
    const channels = [...new Set(slack.calls.filter((c) => c.method === 'chat.postMessage').map((c) => String(c.args.channel)))];
    expect(channels).toEqual([DEFAULT_CHANNEL]);
    const everything = slack.messages(DEFAULT_CHANNEL);
    const parents = everything.filter((m) => m.bot_id && (!m.thread_ts || m.thread_ts === m.ts));
    expect(parents).toHaveLength(CUSTOMERS.length);
    for (const feed of feeds) {
      // Exactly once, anywhere in Slack.
      for (const text of feed.acknowledged)
        expect(
          everything.flatMap(shownMessages).filter((shownText) => shownText === text),
          text,
        ).toHaveLength(1);
      // One thread per customer, holding their messages in acknowledgement order and nothing else.
      const own = parents.filter((parent) => shown(parent).includes(feed.name));
      expect(own, `${feed.name}'s threads`).toHaveLength(1);
      const thread = slack.replies(DEFAULT_CHANNEL, own[0]!.ts);
      expect(thread.flatMap(shownMessages)).toEqual(feed.acknowledged);
      expect(thread.every((m) => m.username === feed.name)).toBe(true);
    }
  }, 120_000);
});

/** Every setting the service reads, explicitly: a developer's `.env` in the project root is blanked out. */
function serviceEnv(deps: { slack: FakeSlack; telegram: FakeTelegramApi; dataDir: string; port: number }): Record<string, string> {
  const dotEnv = join(PROJECT_ROOT, '.env');
  const blanked = existsSync(dotEnv)
    ? Object.fromEntries(Object.keys(parseEnv(readFileSync(dotEnv, 'utf8'))).map((name) => [name, '']))
    : {};
  return {
    ...blanked, // a blank value counts as unset, and the environment wins over the file
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_APP_TOKEN: '',
    SLACK_API_URL: deps.slack.apiUrl,
    SLACK_POSTS_PER_SECOND: '1000',
    PORT: String(deps.port),
    STORE_URL: '',
    DATA_DIR: deps.dataDir,
    DEFAULT_CHANNEL,
    ADMIN_USERS: '',
    TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    TELEGRAM_API_ROOT: deps.telegram.apiRoot,
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    TELEGRAM_WEBHOOK_URL: '',
    LOG_LEVEL: 'info',
  };
}

/** Starts `node --import tsx src/main.ts` and resolves once /healthz answers 200. */
async function startService(env: Record<string, string>, port: number, run: number): Promise<Service> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let exitedEarly = false;
  void exited.then(() => {
    exitedEarly = true;
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) =>
      output.push(
        ...String(chunk)
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => `[run ${run}] ${line}`),
      ),
    );
  }
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(child.pid!, 'SIGKILL');
      await exited;
    }
  });
  await eventually(async () => {
    if (exitedEarly) throw new Error(`the service exited during start-up (code ${child.exitCode})`);
    return (await send(port, 'GET', '/healthz')).status === 200;
  }, 30_000);
  return { child, exited, killed: false };
}

/**
 * Delivers a customer's remaining updates one after another, each only after the previous one was
 * acknowledged (so acknowledgement order is the conversation's order), until all are acknowledged or
 * the service is gone. Every fourth update is delivered twice at once, as a platform retry can.
 */
async function deliverInOrder(port: number, feed: CustomerFeed, service: Service, afterAck: () => void): Promise<void> {
  while (feed.next < feed.updates.length && !service.killed) {
    const update = feed.updates[feed.next]!;
    const copies = feed.next % 4 === 3 ? 2 : 1;
    const answers = await Promise.all(Array.from({ length: copies }, () => deliverOnce(port, update)));
    if (!answers.includes(true)) {
      if (service.killed) return;
      throw new Error(`update ${update.update_id} was not acknowledged though the service runs`);
    }
    feed.acknowledged.push(update.message!.text!);
    feed.next += 1;
    afterAck();
  }
}

/** POSTs one update to the webhook: true when acknowledged (200), false when the connection failed. */
async function deliverOnce(port: number, update: Update): Promise<boolean> {
  try {
    const { status } = await send(port, 'POST', '/webhooks/telegram', JSON.stringify(update), {
      'x-telegram-bot-api-secret-token': WEBHOOK_SECRET,
    });
    if (status !== 200 && status !== 503) throw new Error(`webhook answered ${status} to update ${update.update_id}`);
    return status === 200;
  } catch (error) {
    if (error instanceof Error && 'code' in error) return false; // ECONNRESET, ECONNREFUSED: not acknowledged
    throw error;
  }
}

/** Waits until the journal on disk is empty and every acknowledged text is in Slack. */
async function waitForDrain(dataDir: string, slack: FakeSlack, feeds: readonly CustomerFeed[]): Promise<void> {
  const store: Store = createSqliteStore({ dataDir });
  try {
    const texts = feeds.flatMap((feed) => feed.acknowledged);
    const missing = () => {
      const posted = new Set(slack.messages(DEFAULT_CHANNEL).flatMap(shownMessages));
      return texts.filter((text) => !posted.has(text));
    };
    // An entry leaves the journal only after its post, so an empty journal is final: nothing more will come.
    for (const start = Date.now(); ; await new Promise((resolve) => setTimeout(resolve, 50))) {
      const left = await store.journal.size();
      const lost = missing();
      if (left === 0 && lost.length === 0) return;
      if (left === 0 || Date.now() - start > 90_000) {
        throw new Error(`journal entries left: ${left}; acknowledged but not in Slack (${lost.length}): ${lost.slice(0, 5).join(' | ')}`);
      }
    }
  } finally {
    await store.close();
  }
}

/** A customer's updates: unique texts, numbered so a wrong order is easy to read in a failure. */
function customerFeed(name: string, index: number): CustomerFeed {
  const id = 7100 + index;
  const updates = Array.from({ length: MESSAGES_PER_CUSTOMER }, (_, i): Update => {
    const number = String(i + 1).padStart(2, '0');
    return {
      update_id: 880_000 + index * 100 + i,
      message: {
        message_id: 300 + i,
        date: 1_760_000_000 + i,
        chat: { id, type: 'private', first_name: name },
        from: { id, is_bot: false, first_name: name, language_code: 'en' },
        text: `Hello, this is ${name} again, message ${number} of ${MESSAGES_PER_CUSTOMER}: could you please check order ${id}-${number} for me?`,
      },
    };
  });
  return { name, updates, next: 0, acknowledged: [] };
}

const shown = (message: FakeMessage) => JSON.stringify(message.blocks ?? []) + message.text;
