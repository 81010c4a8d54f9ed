import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configSecrets, loadConfig, type Env } from '../src/config.ts';
import { ConfigError } from '../src/errors.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'threadline-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A path that does not exist, so a developer's own .env never leaks into these tests.
// Standard output is not a terminal here (as under a service manager), whatever runs the tests.
const noEnvFile = { envFile: path.join(dir, 'absent.env'), isTTY: false };

const socketEnv: Env = {
  SLACK_BOT_TOKEN: 'xoxb-1-bot-token',
  SLACK_APP_TOKEN: 'xapp-1-app-token',
  DEFAULT_CHANNEL: 'C0123456789',
};

const load = (env: Env) => loadConfig(env, noEnvFile);

/** Loads and returns the ConfigError it must throw. */
function configError(env: Env): ConfigError {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.message).not.toContain('\n');
    expect(configError.message).toMatch(/^Invalid configuration: /);
    return configError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the defaults and selects Socket Mode when an app token is set', () => {
    const config = load(socketEnv);
    expect(config).toEqual({
      slack: { botToken: 'xoxb-1-bot-token', appToken: 'xapp-1-app-token', apiUrl: 'https://slack.com/api/', mode: 'socket' },
      slackPostsPerSecond: 1,
      port: 3000,
      dataDir: './data',
      defaultChannel: 'C0123456789',
      adminUsers: [],
      notePrefix: 'note:',
      languageDatabase: 'small',
      logLevel: 'info',
      logFormat: 'json',
      env: socketEnv,
    });
    expect(config.storeUrl).toBeUndefined();
  });

  it('selects HTTP mode when only a signing secret is set', () => {
    const config = load({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'abc123secret', DEFAULT_CHANNEL: 'G0123456789' });
    expect(config.slack).toEqual({ botToken: 'xoxb-1', signingSecret: 'abc123secret', apiUrl: 'https://slack.com/api/', mode: 'http' });
    expect(config.defaultChannel).toBe('G0123456789');
  });

  it('prefers Socket Mode when both an app token and a signing secret are set, keeping the secret', () => {
    const config = load({ ...socketEnv, SLACK_SIGNING_SECRET: 'abc123secret' });
    expect(config.slack.mode).toBe('socket');
    expect(config.slack.signingSecret).toBe('abc123secret');
  });

  it('reads every core setting', () => {
    const config = load({
      ...socketEnv,
      SLACK_API_URL: 'http://127.0.0.1:9999/api',
      SLACK_POSTS_PER_SECOND: '2.5',
      PORT: '0',
      STORE_URL: 'rediss://:pw@redis.internal:6380/2',
      DATA_DIR: '/var/lib/threadline',
      ADMIN_USERS: ' U0123456789, W0123456789 ,',
      NOTE_PREFIX: 'internal:',
      LANGUAGE_DATABASE: 'large',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'pretty',
      METRICS_TOKEN: 'c2VjcmV0LW1ldHJpY3MtdG9rZW4=',
      PUBLIC_URL: 'https://threadline.example.com/inbox/',
    });
    expect(config.publicUrl).toBe('https://threadline.example.com/inbox');
    expect(config.slack.apiUrl).toBe('http://127.0.0.1:9999/api/');
    expect(config.metricsToken).toBe('c2VjcmV0LW1ldHJpY3MtdG9rZW4=');
    expect(config.slackPostsPerSecond).toBe(2.5);
    expect(config.port).toBe(0);
    expect(config.storeUrl).toBe('rediss://:pw@redis.internal:6380/2');
    expect(config.dataDir).toBe('/var/lib/threadline');
    expect(config.adminUsers).toEqual(['U0123456789', 'W0123456789']);
    expect(config.notePrefix).toBe('internal:');
    expect(config.languageDatabase).toBe('large');
    expect(config.logLevel).toBe('debug');
    expect(config.logFormat).toBe('pretty');
  });

  it('writes logs for people on a terminal and JSON elsewhere, unless LOG_FORMAT says', () => {
    expect(loadConfig(socketEnv, { ...noEnvFile, isTTY: true }).logFormat).toBe('pretty');
    expect(loadConfig(socketEnv, { ...noEnvFile, isTTY: false }).logFormat).toBe('json');
    expect(loadConfig({ ...socketEnv, LOG_FORMAT: 'json' }, { ...noEnvFile, isTTY: true }).logFormat).toBe('json');
    expect(loadConfig({ ...socketEnv, LOG_FORMAT: ' pretty ' }, { ...noEnvFile, isTTY: false }).logFormat).toBe('pretty');
    expect(loadConfig({ ...socketEnv, LOG_FORMAT: '' }, { ...noEnvFile, isTTY: false }).logFormat).toBe('json');
  });

  it('needs no SLACK_APP_TOKEN when SLACK_SIGNING_SECRET is set (HTTP mode)', () => {
    const config = load({
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 'abc123secret',
      SLACK_APP_TOKEN: '',
      DEFAULT_CHANNEL: 'C0123456789',
    });
    expect(config.slack.mode).toBe('http');
    expect(config.slack.appToken).toBeUndefined();
  });

  it('treats blank values as unset and trims core values', () => {
    const config = load({ ...socketEnv, SLACK_BOT_TOKEN: '  xoxb-1-bot-token\n', PORT: '', STORE_URL: '   ' });
    expect(config.slack.botToken).toBe('xoxb-1-bot-token');
    expect(config.port).toBe(3000);
    expect(config.storeUrl).toBeUndefined();
    expect(config.env).not.toHaveProperty('STORE_URL');
  });

  it('passes platform variables through, unvalidated, in env', () => {
    const config = load({ ...socketEnv, TELEGRAM_BOT_TOKEN: 'anything', UNRELATED: 'x', EMPTY: '' });
    expect(config.env.TELEGRAM_BOT_TOKEN).toBe('anything');
    expect(config.env.UNRELATED).toBe('x');
    expect(config.env).not.toHaveProperty('EMPTY');
  });

  it('returns a deeply frozen config', () => {
    const config = load({ ...socketEnv, ADMIN_USERS: 'U0123456789' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.slack)).toBe(true);
    expect(Object.isFrozen(config.adminUsers)).toBe(true);
    expect(Object.isFrozen(config.env)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('does not modify the env it was given', () => {
    const env: Record<string, string | undefined> = { ...socketEnv };
    const file = path.join(dir, 'untouched.env');
    writeFileSync(file, 'FROM_FILE=1\n');
    loadConfig(env, { envFile: file });
    expect(env).toEqual(socketEnv);
    expect(Object.isFrozen(env)).toBe(false);
  });
});

describe('loadConfig with a .env file', () => {
  it('reads settings from the file, and the real environment wins', () => {
    const file = path.join(dir, 'settings.env');
    writeFileSync(
      file,
      [
        '# a comment',
        'SLACK_BOT_TOKEN=xoxb-from-file',
        'SLACK_APP_TOKEN="xapp-from-file"',
        'DEFAULT_CHANNEL=C0000000000',
        'PORT=8080',
        'TELEGRAM_BOT_TOKEN=123:abc',
      ].join('\n'),
    );
    const config = loadConfig({ DEFAULT_CHANNEL: 'C0123456789', PORT: undefined }, { envFile: file });
    expect(config.slack.botToken).toBe('xoxb-from-file');
    expect(config.slack.appToken).toBe('xapp-from-file');
    expect(config.defaultChannel).toBe('C0123456789');
    expect(config.port).toBe(8080);
    expect(config.env.TELEGRAM_BOT_TOKEN).toBe('123:abc');
  });

  it('works without a file', () => {
    expect(load(socketEnv).defaultChannel).toBe('C0123456789');
  });
});

describe('loadConfig errors', () => {
  const cases: { name: string; env: Env; variable: string; message: string | RegExp }[] = [
    {
      name: 'SLACK_BOT_TOKEN is missing',
      env: { ...socketEnv, SLACK_BOT_TOKEN: undefined },
      variable: 'SLACK_BOT_TOKEN',
      message: /^Invalid configuration: SLACK_BOT_TOKEN is required: .*xoxb-.*OAuth & Permissions/,
    },
    {
      name: 'SLACK_BOT_TOKEN has the wrong prefix',
      env: { ...socketEnv, SLACK_BOT_TOKEN: 'xoxp-user-token' },
      variable: 'SLACK_BOT_TOKEN',
      message: 'Invalid configuration: SLACK_BOT_TOKEN must start with xoxb-',
    },
    {
      name: 'neither an app token nor a signing secret is set',
      env: { SLACK_BOT_TOKEN: 'xoxb-1', DEFAULT_CHANNEL: 'C0123456789' },
      variable: 'SLACK_APP_TOKEN',
      message:
        'Invalid configuration: set SLACK_APP_TOKEN (Socket Mode: an xapp- app-level token with connections:write) or SLACK_SIGNING_SECRET (HTTP mode at POST /slack/events)',
    },
    {
      name: 'SLACK_APP_TOKEN has the wrong prefix',
      env: { ...socketEnv, SLACK_APP_TOKEN: 'xoxb-not-an-app-token' },
      variable: 'SLACK_APP_TOKEN',
      message: /^Invalid configuration: SLACK_APP_TOKEN must start with xapp-/,
    },
    {
      name: 'SLACK_API_URL is not a URL',
      env: { ...socketEnv, SLACK_API_URL: 'slack.com/api' },
      variable: 'SLACK_API_URL',
      message: /^Invalid configuration: SLACK_API_URL must be an http\(s\) URL/,
    },
    {
      name: 'PUBLIC_URL is not an address',
      env: { ...socketEnv, PUBLIC_URL: 'threadline.example.com' },
      variable: 'PUBLIC_URL',
      message: /^Invalid configuration: PUBLIC_URL must be the http\(s\) address where this service is reached/,
    },
    {
      name: 'PUBLIC_URL has a query string',
      env: { ...socketEnv, PUBLIC_URL: 'https://threadline.example.com/?x=1' },
      variable: 'PUBLIC_URL',
      message: /^Invalid configuration: PUBLIC_URL must be .*no query/,
    },
    {
      name: 'METRICS_TOKEN is too short to be a secret',
      env: { ...socketEnv, METRICS_TOKEN: 'short' },
      variable: 'METRICS_TOKEN',
      message: /^Invalid configuration: METRICS_TOKEN must be at least 16 characters .*openssl rand -hex 32/,
    },
    {
      name: 'METRICS_TOKEN has a character a bearer token cannot carry',
      env: { ...socketEnv, METRICS_TOKEN: 'a secret with spaces inside' },
      variable: 'METRICS_TOKEN',
      message: /^Invalid configuration: METRICS_TOKEN must be at least 16 characters of A-Z/,
    },
    {
      name: 'SLACK_POSTS_PER_SECOND is zero',
      env: { ...socketEnv, SLACK_POSTS_PER_SECOND: '0' },
      variable: 'SLACK_POSTS_PER_SECOND',
      message: /^Invalid configuration: SLACK_POSTS_PER_SECOND must be a positive number such as 1/,
    },
    {
      name: 'SLACK_POSTS_PER_SECOND is not a number',
      env: { ...socketEnv, SLACK_POSTS_PER_SECOND: 'fast' },
      variable: 'SLACK_POSTS_PER_SECOND',
      message: /^Invalid configuration: SLACK_POSTS_PER_SECOND must be a positive number such as 1/,
    },
    {
      name: 'PORT is not a number',
      env: { ...socketEnv, PORT: 'http' },
      variable: 'PORT',
      message: 'Invalid configuration: PORT must be an integer from 0 to 65535',
    },
    {
      name: 'PORT is out of range',
      env: { ...socketEnv, PORT: '65536' },
      variable: 'PORT',
      message: 'Invalid configuration: PORT must be an integer from 0 to 65535',
    },
    {
      name: 'PORT is negative',
      env: { ...socketEnv, PORT: '-1' },
      variable: 'PORT',
      message: 'Invalid configuration: PORT must be an integer from 0 to 65535',
    },
    {
      name: 'STORE_URL is not a Redis URL',
      env: { ...socketEnv, STORE_URL: 'postgres://db/threadline' },
      variable: 'STORE_URL',
      message: /^Invalid configuration: STORE_URL must be a redis:\/\/ or rediss:\/\/ URL/,
    },
    {
      name: 'STORE_URL names a cluster node without a port number',
      env: { ...socketEnv, STORE_URL: 'redis+cluster://10.0.0.1:7000,10.0.0.2:port' },
      variable: 'STORE_URL',
      message:
        /^Invalid configuration: STORE_URL must be a redis:\/\/ or rediss:\/\/ URL, redis\+cluster:\/\/host:port,host:port for a Redis Cluster/,
    },
    {
      name: 'STORE_URL is a path',
      env: { ...socketEnv, STORE_URL: './data/store.db' },
      variable: 'STORE_URL',
      message: /^Invalid configuration: STORE_URL must be a redis:\/\//,
    },
    {
      name: 'DEFAULT_CHANNEL is missing',
      env: { ...socketEnv, DEFAULT_CHANNEL: undefined },
      variable: 'DEFAULT_CHANNEL',
      message: /^Invalid configuration: DEFAULT_CHANNEL is required: .*C0123456789.*bottom of the About tab/,
    },
    {
      name: 'DEFAULT_CHANNEL is a channel name',
      env: { ...socketEnv, DEFAULT_CHANNEL: '#support' },
      variable: 'DEFAULT_CHANNEL',
      message: /^Invalid configuration: DEFAULT_CHANNEL must be a Slack channel id like C0123456789, not a name .*About tab/,
    },
    {
      name: 'DEFAULT_CHANNEL is a user id',
      env: { ...socketEnv, DEFAULT_CHANNEL: 'U0123456789' },
      variable: 'DEFAULT_CHANNEL',
      message: /^Invalid configuration: DEFAULT_CHANNEL must be a Slack channel id/,
    },
    {
      name: 'ADMIN_USERS holds a name',
      env: { ...socketEnv, ADMIN_USERS: 'U0123456789,bob' },
      variable: 'ADMIN_USERS',
      message: /^Invalid configuration: ADMIN_USERS must be a comma-separated list of Slack user ids .*"bob" is not one/,
    },
    {
      name: 'LANGUAGE_DATABASE is unknown',
      env: { ...socketEnv, LANGUAGE_DATABASE: 'huge' },
      variable: 'LANGUAGE_DATABASE',
      message: 'Invalid configuration: LANGUAGE_DATABASE must be one of extrasmall, small, medium, large',
    },
    {
      name: 'LOG_LEVEL is unknown',
      env: { ...socketEnv, LOG_LEVEL: 'verbose' },
      variable: 'LOG_LEVEL',
      message: 'Invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    },
    {
      name: 'LOG_FORMAT is unknown',
      env: { ...socketEnv, LOG_FORMAT: 'text' },
      variable: 'LOG_FORMAT',
      message: 'Invalid configuration: LOG_FORMAT must be one of json, pretty',
    },
  ];

  it.each(cases)('throws one ConfigError naming the variable when $name', ({ env, variable, message }) => {
    const error = configError(env);
    expect(error.variable).toBe(variable);
    if (typeof message === 'string') expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
  });

  it('names the first bad variable and lists the others on the same line', () => {
    const error = configError({ SLACK_BOT_TOKEN: 'nope', SLACK_APP_TOKEN: 'xapp-1', PORT: 'x', DEFAULT_CHANNEL: '#general' });
    expect(error.variable).toBe('SLACK_BOT_TOKEN');
    expect(error.message).toBe('Invalid configuration: SLACK_BOT_TOKEN must start with xoxb- (also invalid: PORT, DEFAULT_CHANNEL)');
  });

  it('names unset required settings as missing, and never an unset optional one as invalid', () => {
    const error = configError({ PORT: 'x' });
    expect(error.variable).toBe('SLACK_BOT_TOKEN');
    expect(error.message).toMatch(/^Invalid configuration: SLACK_BOT_TOKEN is required: /);
    expect(error.message).toMatch(/\(also missing: SLACK_APP_TOKEN or SLACK_SIGNING_SECRET, DEFAULT_CHANNEL; also invalid: PORT\)$/);
    expect(error.message).not.toMatch(/invalid: [^)]*SLACK_APP_TOKEN/);
  });

  it('lists nothing about the transport when one of the two is set', () => {
    const error = configError({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'abc123secret' });
    expect(error.message).toMatch(/^Invalid configuration: DEFAULT_CHANNEL is required: /);
    expect(error.message).not.toContain('SLACK_APP_TOKEN');
    expect(error.message).not.toContain('also');
  });

  it('never puts a configured value into the message', () => {
    const error = configError({ ...socketEnv, SLACK_BOT_TOKEN: 'xoxp-secret-value', STORE_URL: 'mysql://user:pw@db' });
    expect(error.message).not.toContain('secret-value');
    expect(error.message).not.toContain('pw@db');
  });
});

describe('configSecrets', () => {
  it('lists the Slack tokens, the signing secret, the metrics token and the store password', () => {
    const config = load({
      ...socketEnv,
      SLACK_SIGNING_SECRET: 'signing-secret',
      METRICS_TOKEN: 'metrics-token-0123456789',
      STORE_URL: 'redis://:p%40ssword@localhost:6379',
    });
    expect(configSecrets(config).sort()).toEqual(
      ['xoxb-1-bot-token', 'xapp-1-app-token', 'signing-secret', 'metrics-token-0123456789', 'p%40ssword', 'p@ssword'].sort(),
    );
  });

  it('lists the password of a Redis Cluster STORE_URL', () => {
    const config = load({ ...socketEnv, STORE_URL: 'rediss+cluster://threadline:s%3Acret@10.0.0.1:7000,10.0.0.2:7000' });
    expect(config.storeUrl).toBe('rediss+cluster://threadline:s%3Acret@10.0.0.1:7000,10.0.0.2:7000');
    expect(configSecrets(config).sort()).toEqual(['xapp-1-app-token', 'xoxb-1-bot-token', 's%3Acret', 's:cret'].sort());
  });

  it('lists only what is set', () => {
    expect(configSecrets(load(socketEnv)).sort()).toEqual(['xapp-1-app-token', 'xoxb-1-bot-token']);
  });
});
