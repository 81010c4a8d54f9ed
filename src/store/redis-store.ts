import KeyvRedis, { createClient } from '@keyv/redis';
import { Keyv } from 'keyv';
import { StoreError } from '../errors.ts';
import { checkMs as checkPositiveMs, createGuard, type Guard } from './guard.ts';
import { keyvData } from './keyv-data.ts';
import { redisCommit } from './redis-commit.ts';
import { redisCoordination } from './redis-coordination.ts';
import { redisAppendWatch } from './redis-notify.ts';
import { defaultNamespace, journalKeys } from './keys.ts';
import type { Journal, JournalEntry, Store } from './store.ts';

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…`. */
  readonly url: string;
  /** Prefix of every key; defaults to {@link defaultNamespace}. Tests pass a unique one. */
  readonly namespace?: string;
  /** How long connecting may take before createRedisStore rejects; 1000 ms by default. */
  readonly connectTimeoutMs?: number;
}

type RedisClient = ReturnType<typeof createClient>;

// Every script reads the clock of the Redis server, so all instances agree on lease expiry.
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// A list element is "<id> <appendedAt> <payload JSON>": Lua reads id and time without decoding JSON.
/** KEYS: seq, size, ready. ARGV: queue key prefix, the appended channel, then queue, payload pairs. */
const APPEND = `${NOW}
for i = 3, #ARGV, 2 do
  local id = redis.call('INCR', KEYS[1])
  redis.call('RPUSH', ARGV[1] .. ARGV[i], string.format('%d %d %s', id, now, ARGV[i + 1]))
  redis.call('ZADD', KEYS[3], 'NX', now, ARGV[i])
end
redis.call('INCRBY', KEYS[2], (#ARGV - 2) / 2)
redis.call('PUBLISH', ARGV[2], '')`;

/** KEYS: ready. ARGV: queue key prefix, lease key prefix, owner, leaseMs. Returns the queue or nil. */
const LEASE = `${NOW}
local offset = 0
while true do
  local queues = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', offset, 100)
  if #queues == 0 then return false end
  for _, q in ipairs(queues) do
    if redis.call('LLEN', ARGV[1] .. q) == 0 then
      redis.call('ZREM', KEYS[1], q)
    elseif redis.call('SET', ARGV[2] .. q, ARGV[3], 'NX', 'PX', ARGV[4]) then
      redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), q)
      return q
    else
      offset = offset + 1
    end
  end
end`;

/** KEYS: list, lease, ready. ARGV: owner, leaseMs, queue. Returns -1 (not the holder), 0 (empty, released) or the head. */
const HEAD = `${NOW}
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
local first = redis.call('LINDEX', KEYS[1], 0)
if not first then
  redis.call('DEL', KEYS[2])
  redis.call('ZREM', KEYS[3], ARGV[3])
  return 0
end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[2]), ARGV[3])
return first`;

/** KEYS: list, size. ARGV: entry id. Pops the head only if it is that entry; 1 when it did. */
const ACK = `
local first = redis.call('LINDEX', KEYS[1], 0)
if first and string.match(first, '^(%d+) ') == ARGV[1] then
  redis.call('LPOP', KEYS[1])
  redis.call('DECR', KEYS[2])
  return 1
end
return 0`;

/** KEYS: list, lease, ready. ARGV: owner, delayMs (0: none), queue. */
const RELEASE = `${NOW}
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2])
local delay = tonumber(ARGV[2])
local first = redis.call('LINDEX', KEYS[1], 0)
if delay > 0 then
  redis.call('ZADD', KEYS[3], now + delay, ARGV[3])
elseif first then
  redis.call('ZADD', KEYS[3], tonumber(string.match(first, '^%d+ (%d+) ')), ARGV[3])
else
  redis.call('ZREM', KEYS[3], ARGV[3])
end
return 1`;

/** KEYS: list, size, parked. ARGV: entry id, reason, queue. Moves the head to the parked hash only if it is that entry. */
const PARK = `${NOW}
local first = redis.call('LINDEX', KEYS[1], 0)
if first and string.match(first, '^(%d+) ') == ARGV[1] then
  redis.call('LPOP', KEYS[1])
  redis.call('DECR', KEYS[2])
  redis.call('HSET', KEYS[3], ARGV[1], cjson.encode({ queue = ARGV[3], parkedAt = now, reason = ARGV[2], entry = first }))
end
return 0`;

/**
 * KEYS: parked, seq, size, ready. ARGV: entry id, queue key prefix. Appends a parked entry's
 * payload to its queue as a new entry; returns { queue, element }, or nil when not parked.
 */
const REPLAY = `${NOW}
local record = redis.call('HGET', KEYS[1], ARGV[1])
if not record then return false end
local parked = cjson.decode(record)
local payload = string.match(parked.entry, '^%d+ %d+ (.*)$')
local id = redis.call('INCR', KEYS[2])
local element = string.format('%d %d %s', id, now, payload)
redis.call('RPUSH', ARGV[2] .. parked.queue, element)
redis.call('ZADD', KEYS[4], 'NX', now, parked.queue)
redis.call('INCR', KEYS[3])
redis.call('HDEL', KEYS[1], ARGV[1])
return { parked.queue, element }`;

/**
 * A Store on Redis, shared by every Threadline instance pointed at it. Connects eagerly: rejects
 * with StoreError within about connectTimeoutMs when Redis is unreachable, and every later call
 * that cannot reach Redis rejects at once (no offline queue) instead of hanging. setIfAbsent is
 * `SET NX PX`; the journal is a list per queue, a sorted set of queues with work, a `SET NX PX`
 * lease key per queue, and Lua scripts that make each journal step atomic.
 */
export async function createRedisStore(options: RedisStoreOptions): Promise<Store> {
  const namespace = options.namespace ?? defaultNamespace;
  const { client, adapter, keyv, fail, where } = await connect(options, namespace);
  const storeGuard = createGuard(`${where}: the store is closed`, fail);
  const guard = storeGuard.run;
  const notify = redisAppendWatch(client, journalKeys.appended(namespace));

  return {
    kind: 'redis',
    journal: createRedisJournal(client, namespace, guard, notify),
    ...keyvData(keyv, guard, Math.ceil),
    ...redisCoordination(client, namespace, guard),
    ...redisCommit(client, namespace, (key) => adapter.createKeyPrefix(key, namespace), ACK, guard),
    setIfAbsent: (key, value, ttlMs) =>
      guard(`setIfAbsent ${key}`, async () => {
        const ttl = ttlMs === undefined ? undefined : checkMs('ttlMs', ttlMs);
        const json = JSON.stringify({ value, expires: ttl === undefined ? undefined : Date.now() + ttl });
        const expiration = ttl === undefined ? {} : { expiration: { type: 'PX', value: ttl } as const };
        const reply = await client.set(adapter.createKeyPrefix(key, namespace), json, { condition: 'NX', ...expiration });
        return reply === 'OK';
      }),
    ping: () => guard('ping', async () => void (await client.ping())),
    async close() {
      if (!storeGuard.close()) return;
      await notify.close();
      if (client.isOpen) await (client.isReady ? client.close() : client.destroy());
    },
  };
}

interface Connection {
  readonly client: RedisClient;
  readonly adapter: KeyvRedis<string>;
  readonly keyv: Keyv;
  /** Wraps a backend error into StoreError, saying "unreachable" when the socket is down. */
  readonly fail: (what: string, cause: unknown) => StoreError;
  readonly where: string;
}

async function connect(options: RedisStoreOptions, namespace: string): Promise<Connection> {
  const timeout = options.connectTimeoutMs ?? 1000;
  const where = `Redis at ${redactUrl(options.url)}`;
  let connecting = true;
  let socketError: unknown; // the first one while connecting (the real reason), the latest after
  const client: RedisClient = createClient({
    url: options.url,
    disableOfflineQueue: true,
    socket: { connectTimeout: timeout, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000) },
  });
  client.on('error', (error: unknown) => {
    if (!connecting || socketError === undefined) socketError = error;
  });
  const adapter = new KeyvRedis<string>(client, { namespace, throwOnConnectError: true, throwOnErrors: true, connectionTimeout: timeout });
  const keyv = new Keyv({
    store: adapter,
    namespace,
    useKeyPrefix: false, // @keyv/redis already prefixes `namespace::`
    throwOnErrors: true,
    serialize: JSON.stringify,
    deserialize: JSON.parse,
  });
  keyv.on('error', () => {}); // a failed call also rejects (throwOnErrors) and is wrapped by guard
  const fail = (what: string, cause: unknown): StoreError => {
    if (cause instanceof StoreError) return cause;
    if (client.isReady) return new StoreError(`${where}: ${what} failed: ${messageOf(cause)}`, { cause });
    const reason = socketError ?? cause;
    const hint = 'Check STORE_URL and that Redis is running';
    return new StoreError(`${where} is unreachable: ${messageOf(reason)}. ${hint}`, { cause: reason });
  };
  try {
    await adapter.getClient();
    await client.ping();
    connecting = false;
  } catch (cause) {
    const error = fail('connect', cause);
    if (client.isOpen) client.destroy();
    throw error;
  }
  return { client, adapter, keyv, fail, where };
}

function createRedisJournal(client: RedisClient, namespace: string, guard: Guard, notify: ReturnType<typeof redisAppendWatch>): Journal {
  const k = {
    seq: journalKeys.sequence(namespace),
    size: journalKeys.size(namespace),
    ready: journalKeys.ready(namespace),
    queuePrefix: journalKeys.queue(namespace, ''),
    leasePrefix: journalKeys.lease(namespace, ''),
    parked: journalKeys.parked(namespace),
    appended: journalKeys.appended(namespace),
  };
  const queueKeys = (queue: string): string[] => [journalKeys.queue(namespace, queue), journalKeys.lease(namespace, queue), k.ready];
  const run = (script: string, keys: string[], args: string[]): Promise<unknown> => client.eval(script, { keys, arguments: args });

  return {
    append: (items) =>
      guard('journal append', async () => {
        if (items.length === 0) return;
        const pairs = items.flatMap(({ queue, payload }) => [queue, JSON.stringify(payload ?? null)]);
        await run(APPEND, [k.seq, k.size, k.ready], [k.queuePrefix, k.appended, ...pairs]);
      }),
    watch: (listener) => notify.watch(listener),
    lease: (owner, leaseMs) =>
      guard('journal lease', async () => {
        const queue = await run(LEASE, [k.ready], [k.queuePrefix, k.leasePrefix, owner, String(checkMs('leaseMs', leaseMs))]);
        return typeof queue === 'string' ? queue : undefined;
      }),
    head: (queue, owner, leaseMs) =>
      guard(`journal head of ${queue}`, async () => {
        const reply = await run(HEAD, queueKeys(queue), [owner, String(checkMs('leaseMs', leaseMs)), queue]);
        if (reply === -1) throw new StoreError(`Journal lease on queue ${queue} is not held by ${owner}: it expired or was never taken`);
        return typeof reply === 'string' ? parseEntry(queue, reply) : undefined;
      }),
    ack: (queue, entryId) =>
      guard(`journal ack of ${queue}`, async () => {
        await run(ACK, [journalKeys.queue(namespace, queue), k.size], [entryId]);
      }),
    release: (queue, owner, delayMs) =>
      guard(`journal release of ${queue}`, async () => {
        const delay = delayMs === undefined || delayMs === 0 ? 0 : checkMs('delayMs', delayMs);
        await run(RELEASE, queueKeys(queue), [owner, String(delay), queue]);
      }),
    size: () => guard('journal size', async () => Number((await client.get(k.size)) ?? 0)),
    park: (queue, entryId, _owner, reason) =>
      guard(`journal park in ${queue}`, async () => {
        await run(PARK, [journalKeys.queue(namespace, queue), k.size, k.parked], [entryId, reason, queue]);
      }),
    parked: () =>
      guard('journal parked', async () => {
        const records = Object.values(await client.hGetAll(k.parked)).map((json) => {
          const record = JSON.parse(json) as { queue: string; parkedAt: number; reason: string; entry: string };
          return { ...parseEntry(record.queue, record.entry), parkedAt: record.parkedAt, reason: record.reason };
        });
        return records.sort((a, b) => a.parkedAt - b.parkedAt || Number(a.id) - Number(b.id));
      }),
    replay: (entryId) =>
      guard(`journal replay of ${entryId}`, async () => {
        const reply = await run(REPLAY, [k.parked, k.seq, k.size, k.ready], [entryId, k.queuePrefix]);
        if (!Array.isArray(reply)) return undefined;
        const [queue, element] = reply as [string, string];
        return parseEntry(queue, element);
      }),
  };
}

function parseEntry(queue: string, element: string): JournalEntry {
  const match = /^(\d+) (\d+) /.exec(element);
  if (match === null) throw new StoreError(`Journal entry of queue ${queue} is malformed: ${element.slice(0, 40)}`);
  const [prefix, id = '', appendedAt = ''] = match;
  return { id, queue, payload: JSON.parse(element.slice(prefix.length)) as unknown, appendedAt: Number(appendedAt) };
}

/** Redis takes whole milliseconds; a fraction is rounded up so a TTL is never shorter than asked. */
/** Redis takes whole milliseconds (PX): round up, never expire early. */
function checkMs(name: string, ms: number): number {
  return Math.ceil(checkPositiveMs(name, ms));
}

/** The URL without its password, for error messages. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}
