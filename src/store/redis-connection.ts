/**
 * Opening Redis for the store: one server (`createClient`) or a Redis Cluster (`createCluster`,
 * which discovers every node from the ones named and routes each command by its key's hash slot).
 * Both connect eagerly and refuse to queue commands while disconnected, so that a call fails at
 * once instead of hanging.
 */
import KeyvRedis, { createClient, createCluster, type RedisClientType, type RedisClusterType } from '@keyv/redis';
import { Keyv } from 'keyv';
import { StoreError } from '../errors.ts';
import { type RedisTarget, redisUrlWithoutCredentials } from './redis-url.ts';

/** A client of one Redis server, or of a Redis Cluster: the commands the store uses exist on both. */
export type RedisConnection = RedisClientType | RedisClusterType;

/** An open connection and what the store builds on it. */
export interface Connection {
  readonly client: RedisConnection;
  readonly adapter: KeyvRedis<string>;
  readonly keyv: Keyv;
  /** Wraps a backend error into StoreError, saying "unreachable" when the socket is down. */
  readonly fail: (what: string, cause: unknown) => StoreError;
  /** "Redis at …" or "Redis Cluster at …", without user name and password. */
  readonly where: string;
  /** Disconnects, gracefully when connected. */
  close(): Promise<void>;
}

/** Connects to `target` within timeoutMs, or rejects with StoreError. */
export async function connectRedis(url: string, target: RedisTarget, namespace: string, timeoutMs: number): Promise<Connection> {
  const where = `${target.kind === 'cluster' ? 'Redis Cluster' : 'Redis'} at ${redisUrlWithoutCredentials(url)}`;
  let connecting = true;
  let socketError: unknown; // the first one while connecting (the real reason), the latest after
  const socket = { connectTimeout: timeoutMs, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000) };
  const single = target.kind === 'single' ? createClient({ url: target.url, disableOfflineQueue: true, socket }) : undefined;
  const client: RedisConnection = single ?? openCluster(target, socket);
  client.on('error', (error: unknown) => {
    if (!connecting || socketError === undefined) socketError = error;
  });
  // A cluster client has no isReady: it is open once it knows the slots, and routes around a lost node.
  const ready = (): boolean => (single === undefined ? client.isOpen : single.isReady);
  const adapter = new KeyvRedis<string>(client, {
    namespace,
    throwOnConnectError: true,
    throwOnErrors: true,
    connectionTimeout: timeoutMs,
  });
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
    if (ready()) return new StoreError(`${where}: ${what} failed: ${messageOf(cause)}`, { cause });
    const reason = socketError ?? cause;
    const hint =
      target.kind === 'cluster' ? 'Check STORE_URL and that the cluster nodes are running' : 'Check STORE_URL and that Redis is running';
    return new StoreError(`${where} is unreachable: ${messageOf(reason)}. ${hint}`, { cause: reason });
  };
  const close = async () => {
    if (client.isOpen) await (ready() ? client.close() : client.destroy());
  };
  const opening = adapter.getClient();
  try {
    await withTimeout(opening, timeoutMs * 3, 'connecting timed out');
    await client.ping();
    connecting = false;
  } catch (cause) {
    const error = fail('connect', cause);
    if (client.isOpen) client.destroy();
    // A connect that outlived the timeout is closed when it settles, so that nothing stays open.
    opening.then(
      () => client.isOpen && client.destroy(),
      () => undefined,
    );
    throw error;
  }
  return { client, adapter, keyv, fail, where, close };
}

type ClusterTarget = Extract<RedisTarget, { kind: 'cluster' }>;
type SocketOptions = { connectTimeout: number; reconnectStrategy: (retries: number) => number };

function openCluster(target: RedisTarget, socket: SocketOptions): RedisClusterType {
  const { nodes, tls, username, password } = target as ClusterTarget;
  return createCluster({
    rootNodes: nodes.map((node) => ({ url: node })),
    defaults: {
      disableOfflineQueue: true,
      socket: { ...socket, ...(tls ? { tls: true as const } : {}) },
      ...(username === undefined ? {} : { username }),
      ...(password === undefined ? {} : { password }),
    },
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}
