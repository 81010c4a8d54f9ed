import { describe, expect, it } from 'vitest';
import { readConfig } from '../../../adapters/telegram/config.ts';
import { ConfigError } from '../../../src/errors.ts';

const TOKEN = '123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11';

function configError(env: Record<string, string>): ConfigError {
  try {
    readConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('Telegram readConfig', () => {
  it('is off when no TELEGRAM_ variable is set (empty values count as unset)', () => {
    expect(readConfig({ SLACK_BOT_TOKEN: 'xoxb-1' })).toBeUndefined();
    expect(readConfig({ TELEGRAM_BOT_TOKEN: '', TELEGRAM_ALLOW_GROUPS: ' ' })).toBeUndefined();
  });

  it('defaults to polling against api.telegram.org without groups, frozen', () => {
    const config = readConfig({ TELEGRAM_BOT_TOKEN: TOKEN });
    expect(config).toEqual({ botToken: TOKEN, apiRoot: 'https://api.telegram.org', allowGroups: false });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads webhook mode, a custom API root without its trailing slash, and groups', () => {
    expect(
      readConfig({
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: 'http://127.0.0.1:8081/',
        TELEGRAM_WEBHOOK_SECRET: 'A-z_09',
        TELEGRAM_WEBHOOK_URL: 'https://example.com/webhooks/telegram',
        TELEGRAM_ALLOW_GROUPS: 'TRUE',
      }),
    ).toEqual({
      botToken: TOKEN,
      apiRoot: 'http://127.0.0.1:8081',
      webhookSecret: 'A-z_09',
      webhookUrl: 'https://example.com/webhooks/telegram',
      allowGroups: true,
    });
  });

  it.each([
    [{ TELEGRAM_ALLOW_GROUPS: 'true' }, 'TELEGRAM_BOT_TOKEN'],
    [{ TELEGRAM_BOT_TOKEN: 'bot123456:ABC' }, 'TELEGRAM_BOT_TOKEN'],
    [{ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: 'api.telegram.org' }, 'TELEGRAM_API_ROOT'],
    [{ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: 'has space' }, 'TELEGRAM_WEBHOOK_SECRET'],
    [{ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: 'x'.repeat(257) }, 'TELEGRAM_WEBHOOK_SECRET'],
    [{ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: 's', TELEGRAM_WEBHOOK_URL: 'http://example.com/x' }, 'TELEGRAM_WEBHOOK_URL'],
    [{ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_URL: 'https://example.com/x' }, 'TELEGRAM_WEBHOOK_URL'],
    [{ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_ALLOW_GROUPS: 'yes' }, 'TELEGRAM_ALLOW_GROUPS'],
  ])('names the wrong variable in one line: %o → %s', (env, variable) => {
    const error = configError(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
    expect(error.message).not.toContain('\n');
  });

  it('never puts the value of a wrong token or secret in the message', () => {
    expect(configError({ TELEGRAM_BOT_TOKEN: 'secret-looking-value' }).message).not.toContain('secret-looking-value');
    expect(configError({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: 'bad secret!' }).message).not.toContain('bad secret!');
    expect(configError({ TELEGRAM_BOT_TOKEN: 'bot123456:ABC' }).message).toContain('@BotFather');
  });
});
