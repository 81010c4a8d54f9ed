import { describe, expect, it } from 'vitest';
import { readConfig } from '../../../adapters/x/config.ts';
import { ConfigError } from '../../../src/errors.ts';

const KEYS = { X_APP_KEY: 'app-key-1', X_APP_SECRET: 'app-secret-1', X_ACCESS_TOKEN: '1-access-token', X_ACCESS_SECRET: 'access-secret-1' };

function refused(env: Record<string, string>): ConfigError {
  try {
    readConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('X settings', () => {
  it('is off when no X_ variable is set', () => {
    expect(readConfig({ TELEGRAM_BOT_TOKEN: '1:a' })).toBeUndefined();
  });

  it('reads the four keys with the documented defaults: api.x.com, a poll a minute, polling', () => {
    expect(readConfig(KEYS)).toEqual({
      appKey: 'app-key-1',
      appSecret: 'app-secret-1',
      accessToken: '1-access-token',
      accessSecret: 'access-secret-1',
      apiRoot: 'https://api.x.com',
      pollSeconds: 60,
      webhook: false,
    });
  });

  it('names the first missing key', () => {
    const { X_ACCESS_SECRET: _, ...three } = KEYS;
    expect(refused(three)).toMatchObject({ variable: 'X_ACCESS_SECRET', message: expect.stringContaining('Access Token Secret') });
    expect(refused({ X_POLL_SECONDS: '10' }).variable).toBe('X_APP_KEY');
  });

  it('accepts polls down to 3 seconds (300 lookups per 15 minutes) and stops start-up below, naming X_POLL_SECONDS', () => {
    expect(readConfig({ ...KEYS, X_POLL_SECONDS: '3' })?.pollSeconds).toBe(3);
    for (const bad of ['2', '0', '1.5', 'soon', '-5']) expect(refused({ ...KEYS, X_POLL_SECONDS: bad }).variable).toBe('X_POLL_SECONDS');
  });

  it('takes X_API_ROOT without a trailing slash, and X_WEBHOOK true or false only', () => {
    expect(readConfig({ ...KEYS, X_API_ROOT: 'http://127.0.0.1:9999/x/', X_WEBHOOK: 'TRUE' })).toMatchObject({
      apiRoot: 'http://127.0.0.1:9999/x',
      webhook: true,
    });
    expect(refused({ ...KEYS, X_API_ROOT: 'api.x.com' }).variable).toBe('X_API_ROOT');
    expect(refused({ ...KEYS, X_WEBHOOK: 'yes' }).variable).toBe('X_WEBHOOK');
  });
});
