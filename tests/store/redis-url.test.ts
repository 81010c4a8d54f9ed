import { describe, expect, it } from 'vitest';
import { parseRedisUrl, redactRedisUrl, redisPassword, redisUrlWithoutCredentials } from '../../src/store/redis-url.ts';

describe('a Redis STORE_URL', () => {
  it('names one server with redis:// or rediss://, kept as written', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379/2')).toEqual({ kind: 'single', url: 'redis://127.0.0.1:6379/2' });
    expect(parseRedisUrl('rediss://:pw@redis.internal:6380')).toEqual({ kind: 'single', url: 'rediss://:pw@redis.internal:6380' });
  });

  it('names a cluster by one or more nodes, with credentials, TLS, IPv6 and the default port', () => {
    expect(parseRedisUrl('redis+cluster://10.0.0.1:7000,10.0.0.2:7001')).toEqual({
      kind: 'cluster',
      nodes: ['redis://10.0.0.1:7000', 'redis://10.0.0.2:7001'],
      tls: false,
    });
    expect(parseRedisUrl('rediss+cluster://threadline:p%40ss@[::1]:7000,node-b/')).toEqual({
      kind: 'cluster',
      nodes: ['rediss://[::1]:7000', 'rediss://node-b:6379'],
      tls: true,
      username: 'threadline',
      password: 'p@ss',
    });
  });

  it.each([
    'redis+cluster://',
    'redis+cluster://host:0',
    'redis+cluster://host:65536',
    'redis+cluster://host:7000/1',
    'redis+cluster://host:7000?x=1',
    'redis+cluster://a:1,,b:2',
    'redis+cluster://u:%zz@host:7000',
    'redis:/no-host',
    'http://host:6379',
  ])('refuses %j', (url) => {
    expect(parseRedisUrl(url)).toBeUndefined();
  });

  it('hides the password from operators and from error messages, and names it for log masking', () => {
    expect(redactRedisUrl('redis+cluster://threadline:s3cret@a:1,b:2')).toBe('redis+cluster://threadline:***@a:1,b:2');
    expect(redactRedisUrl('rediss+cluster://a:1')).toBe('rediss+cluster://a:1');
    expect(redactRedisUrl('redis://:s3cret@host:6379/2')).toBe('redis://:***@host:6379/2');
    expect(redisUrlWithoutCredentials('redis+cluster://threadline:s3cret@a:1,b:2')).toBe('redis+cluster://a:1,b:2');
    expect(redisUrlWithoutCredentials('redis://user:s3cret@host:6379/2')).toBe('redis://host:6379/2');
    expect(redisPassword('redis+cluster://threadline:s%3Acret@a:1')).toBe('s%3Acret');
    expect(redisPassword('redis://:p%40ss@host:6379')).toBe('p%40ss');
    expect(redisPassword('redis+cluster://a:1')).toBe('');
  });
});
