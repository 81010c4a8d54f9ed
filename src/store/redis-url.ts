/**
 * STORE_URL for Redis, read in one place: `redis://[user:password@]host:port[/db]` (or `rediss://`,
 * TLS) names one Redis server; `redis+cluster://[user:password@]host:port[,host:port…]` (or
 * `rediss+cluster://`, TLS) names a Redis Cluster by one or more of its nodes, from which the
 * client discovers the others. A cluster has only database 0, so its URL takes no `/db`.
 */

/** A Redis STORE_URL, understood. */
export type RedisTarget =
  | { readonly kind: 'single'; readonly url: string }
  | {
      readonly kind: 'cluster';
      /** The nodes named in the URL, as `redis://host:port` (or `rediss://`) URLs without credentials. */
      readonly nodes: readonly string[];
      readonly tls: boolean;
      readonly username?: string;
      readonly password?: string;
    };

const CLUSTER = /^(rediss?)\+cluster:\/\/(?:([^@/?#]*)@)?([^/?#]+)\/?$/;
const NODE = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/;

/** Reads a Redis STORE_URL; undefined when it is neither form. */
export function parseRedisUrl(url: string): RedisTarget | undefined {
  const cluster = CLUSTER.exec(url);
  if (cluster !== null) {
    const [, scheme = 'redis', userinfo, hosts = ''] = cluster;
    const nodes: string[] = [];
    for (const node of hosts.split(',')) {
      const match = NODE.exec(node.trim());
      const port = Number(match?.[2] ?? 6379);
      if (match === null || !(port >= 1 && port <= 65535)) return undefined;
      nodes.push(`${scheme}://${match[1]}:${port}`);
    }
    const credentials = userinfo === undefined ? {} : readUserinfo(userinfo);
    if (credentials === undefined) return undefined;
    return { kind: 'cluster', nodes, tls: scheme === 'rediss', ...credentials };
  }
  const parsed = URL.parse(url);
  if (parsed === null || !/^rediss?:$/.test(parsed.protocol) || parsed.hostname === '') return undefined;
  return { kind: 'single', url };
}

/** The URL as an operator may see it: the password replaced by `***`. */
export function redactRedisUrl(url: string): string {
  const target = parseRedisUrl(url);
  if (target === undefined) return '(unparsable STORE_URL)';
  if (target.kind === 'cluster') {
    const { username = '', password } = target;
    return clusterUrl(target, username === '' && password === undefined ? '' : `${username}${password === undefined ? '' : ':***'}@`);
  }
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}

/** The URL without user name and password, for error messages. */
export function redisUrlWithoutCredentials(url: string): string {
  const target = parseRedisUrl(url);
  if (target === undefined) return '(unparsable URL)';
  if (target.kind === 'cluster') return clusterUrl(target, '');
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

function clusterUrl(target: Extract<RedisTarget, { kind: 'cluster' }>, userinfo: string): string {
  const hosts = target.nodes.map((node) => node.replace(/^rediss?:\/\//, '')).join(',');
  return `${target.tls ? 'rediss+cluster' : 'redis+cluster'}://${userinfo}${hosts}`;
}

/** The password in a Redis STORE_URL as written there, percent-encoded ('' when none), so that logs can leave it out. */
export function redisPassword(url: string): string {
  const target = parseRedisUrl(url);
  if (target === undefined) return '';
  if (target.kind === 'single') return new URL(url).password;
  const userinfo = CLUSTER.exec(url)?.[2] ?? '';
  return userinfo.includes(':') ? userinfo.slice(userinfo.indexOf(':') + 1) : '';
}

function readUserinfo(userinfo: string): { username?: string; password?: string } | undefined {
  const colon = userinfo.indexOf(':');
  const [user, password] = colon === -1 ? [userinfo, undefined] : [userinfo.slice(0, colon), userinfo.slice(colon + 1)];
  try {
    return {
      ...(user === '' ? {} : { username: decodeURIComponent(user) }),
      ...(password === undefined ? {} : { password: decodeURIComponent(password) }),
    };
  } catch {
    return undefined;
  }
}
