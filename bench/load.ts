/**
 * The load of the pipeline benchmarks: signed Telegram updates from customers writing real sample
 * texts in 20 languages, POSTed to a webhook as Telegram does, and the helpers to wait on them.
 */
import { createClient } from '@keyv/redis';
import { BOT_TOKEN, DEFAULT_CHANNEL, SIGNING_SECRET, TELEGRAM_TOKEN, WEBHOOK_SECRET } from '../tests/e2e/harness.ts';
import type { FakeSlackCall } from '../tests/fakes/slack-api.ts';
import { LANGUAGE_SAMPLES } from '../tests/fixtures/language/samples.ts';

export const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** Twenty routing languages, one Slack channel each (the close pairs nb/da/sv, fi and id left out). */
export const LANGUAGES = [
  'en',
  'ko',
  'ja',
  'zh-Hans',
  'zh-Hant',
  'th',
  'he',
  'ar',
  'hi',
  'ru',
  'uk',
  'de',
  'fr',
  'es',
  'pt',
  'it',
  'nl',
  'pl',
  'tr',
  'vi',
] as const;
export const IN_FLIGHT = 16;

/** One webhook of the load and what became of it. */
export interface Planned {
  readonly key: string;
  readonly customer: number;
  readonly language: string;
  readonly channel: string;
  readonly body: string;
  sentAt?: number;
  ackedAt?: number;
  status?: number;
  mirroredAt?: number;
  mirroredIn?: string;
}

let nextUpdateId = 1;
/** Telegram chat ids of the burst's customers start here; the idle phase's at IDLE_CHAT_IDS. */
export const CHAT_IDS = 600_000_000;
export const IDLE_CHAT_IDS = 600_100_000;

/** `rounds` messages from each of `customers` customers: round j of every customer, then round j+1 (as traffic interleaves). */
export function plan(
  customers: readonly number[],
  rounds: number,
  languages: readonly string[],
  channelOf: (language: string) => string,
): Planned[] {
  const byLanguage = new Map<string, string[]>();
  for (const sample of LANGUAGE_SAMPLES) byLanguage.set(sample.language, [...(byLanguage.get(sample.language) ?? []), sample.text]);
  const planned: Planned[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const customer of customers) {
      const language = languages[customer % languages.length]!;
      const texts = byLanguage.get(language) ?? ['hello'];
      const chatId = CHAT_IDS + customer;
      const messageId = 1000 + round;
      const text = texts[(Math.floor(customer / languages.length) * rounds + round) % texts.length]!;
      const from = {
        id: chatId,
        is_bot: false,
        first_name: `Customer${customer}`,
        username: `customer_${customer}`,
        language_code: language.toLowerCase(),
      };
      const update = {
        update_id: nextUpdateId++,
        message: {
          message_id: messageId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: chatId, type: 'private', first_name: from.first_name, username: from.username },
          from,
          text,
        },
      };
      planned.push({ key: `${chatId}:${messageId}`, customer, language, channel: channelOf(language), body: JSON.stringify(update) });
    }
  }
  return planned;
}

/**
 * POSTs every planned webhook, IN_FLIGHT at a time, a customer's next message only after the
 * previous one's 200 (as a platform delivers one chat in order); resolves when all are answered.
 */
export async function sendBurst(url: string, planned: readonly Planned[]): Promise<void> {
  const acked = new Map<number, Promise<void>>();
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < planned.length; i = next++) {
      const entry = planned[i]!;
      await acked.get(entry.customer);
      const done = deliver(url, entry);
      acked.set(entry.customer, done);
      await done;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
}

/** POSTs one update to the webhook as Telegram does (secret token header) and records when it was answered. */
export async function deliver(url: string, entry: Planned): Promise<void> {
  entry.sentAt = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
    body: entry.body,
  });
  await response.arrayBuffer();
  entry.ackedAt = performance.now();
  entry.status = response.status;
}

/** Polls `check` every 20 ms until true (true) or timeoutMs passed (false), printing progress every 10 s. */
export async function until(check: () => boolean, timeoutMs: number, progress?: () => string): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  let lastReport = performance.now();
  while (!check()) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (progress && performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      console.log(`  … ${progress()}`);
    }
  }
  return true;
}

/** A unique key namespace on REDIS_URL for one run, and the deletion of its keys afterwards. */
export function redisNamespace(): { namespace: string; cleanup(): Promise<number> } {
  const namespace = `threadline-bench-pipeline-${process.pid}-${Date.now()}`;
  return { namespace, cleanup: () => deleteKeys(redisUrl, `${namespace}:*`) };
}

/** Deletes the keys matching `pattern` on the Redis at `url`; returns how many. */
export async function deleteKeys(url: string, pattern: string): Promise<number> {
  const client = createClient({ url });
  await client.connect();
  let deleted = 0;
  for await (const keys of client.scanIterator({ MATCH: pattern, COUNT: 1000 })) if (keys.length > 0) deleted += await client.del(keys);
  await client.close();
  return deleted;
}

/** The settings every benchmark gives the app: the Slack and Telegram fakes, its data directory and port. */
export function appEnv(o: { slackApiUrl: string; telegramApiRoot: string; dataDir: string; port: number }): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: o.slackApiUrl,
    PORT: String(o.port),
    DATA_DIR: o.dataDir,
    DEFAULT_CHANNEL,
    TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    TELEGRAM_API_ROOT: o.telegramApiRoot,
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
  };
}

/**
 * Calls `onPost` with the arguments of every `chat.postMessage` the Slack fake receives, as its
 * request arrives (the fake records each Web API call in its `calls` list). With `keep: false` the
 * posts stay out of that list, so that a long run's driver holds no memory for them.
 */
export function watchPosts(
  slack: { readonly calls: readonly FakeSlackCall[] },
  onPost: (args: Readonly<Record<string, unknown>>, at: number) => void,
  { keep = true }: { keep?: boolean } = {},
): void {
  const calls = slack.calls as FakeSlackCall[];
  const push = calls.push.bind(calls);
  calls.push = (...items: FakeSlackCall[]) => {
    const at = performance.now();
    for (const call of items) if (call.method === 'chat.postMessage') onPost(call.args, at);
    return push(...(keep ? items : items.filter((call) => call.method !== 'chat.postMessage')));
  };
}

/**
 * The planned messages one `chat.postMessage` shows: its marker (`msg:<conversation>:<eventId>`)
 * names the first; a combined post (README: "When messages arrive faster than Slack takes them")
 * has one section per message, block_ids `threadline-msg-<i>`, which are that customer's next
 * messages in order. Empty for any other post (a parent, a notice).
 */
export function shownBy(
  args: Readonly<Record<string, unknown>>,
  byKey: ReadonlyMap<string, Planned>,
  planned: readonly Planned[],
): Planned[] {
  const marker = (args.metadata as { event_payload?: { key?: unknown } } | undefined)?.event_payload?.key;
  if (typeof marker !== 'string' || !marker.startsWith('msg:')) return [];
  const first = byKey.get(marker.split(':').slice(-2).join(':'));
  if (first === undefined) return [];
  const blocks = Array.isArray(args.blocks) ? (args.blocks as { block_id?: unknown }[]) : [];
  const sections = blocks.filter((b) => typeof b.block_id === 'string' && b.block_id.startsWith('threadline-msg-')).length;
  if (sections <= 1) return [first];
  // A key is `<chat>:<message>`: the same chat is the same customer.
  const chat = (p: Planned) => p.key.split(':')[0];
  const theirs = planned.filter((p) => chat(p) === chat(first));
  const at = theirs.indexOf(first);
  return theirs.slice(at, at + sections);
}
