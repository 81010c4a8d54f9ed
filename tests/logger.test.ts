/**
 * What a person reads in the logs: JSON lines by default, pino-pretty's lines with LOG_FORMAT=pretty,
 * and in both the same secrets hidden (redacted fields, and configured values wherever they appear).
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../src/logger.ts';

const BOT_TOKEN = 'xoxb-2222-3333-loggertesttoken';
const TELEGRAM_TOKEN = '7777777:AAE2eLoggerTestToken_x';

function capture(): { out: Writable; text: () => string } {
  const chunks: string[] = [];
  const out = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { out, text: () => chunks.join('') };
}

/** Logs what a careless caller might: secrets in fields, in the message, in an error and its stack. */
function logSecrets(logger: Logger): void {
  logger.info(
    {
      token: 'field-token-123456',
      config: { botToken: BOT_TOKEN, appToken: 'xapp-1-field' },
      req: { headers: { authorization: `Bearer ${BOT_TOKEN}`, 'x-slack-signature': 'v0=abcdef123456' } },
    },
    `connected with ${BOT_TOKEN}`,
  );
  logger.error({ err: new Error(`request to https://api.telegram.org/bot${TELEGRAM_TOKEN}/getMe failed`) }, 'channel did not start');
}

/** pino-pretty writes through a stream; give it a moment. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('createLogger', () => {
  it('writes one JSON object a line by default', async () => {
    const { out, text } = capture();
    createLogger({ level: 'info' }, out).info({ port: 3000 }, 'threadline started');
    await settle();
    const [line] = text().trim().split('\n');
    expect(JSON.parse(line!)).toMatchObject({ level: 30, msg: 'threadline started', port: 3000 });
  });

  it('writes readable lines with format pretty: level, message and fields, no JSON', async () => {
    const { out, text } = capture();
    createLogger({ level: 'info', format: 'pretty' }, out).info({ port: 3000 }, 'threadline started');
    await settle();
    const shown = text();
    expect(shown).toMatch(/INFO.*threadline started/);
    expect(shown).toMatch(/port: 3000/);
    expect(() => JSON.parse(shown)).toThrow();
    // No colour codes when the output is not a terminal.
    expect(shown).not.toContain('\u001b[');
  });

  it.each(['json', 'pretty'] as const)(
    'hides secrets in %s output: redacted fields, configured values in messages and errors',
    async (format) => {
      const { out, text } = capture();
      logSecrets(createLogger({ level: 'info', format, secrets: [BOT_TOKEN, TELEGRAM_TOKEN] }, out));
      await settle();
      const shown = text();
      expect(shown).toContain('connected with [redacted]');
      expect(shown).toContain('channel did not start');
      expect(shown).toContain('/bot[redacted]/getMe');
      for (const secret of [BOT_TOKEN, TELEGRAM_TOKEN, 'field-token-123456', 'xapp-1-field', 'v0=abcdef123456', 'AAE2eLoggerTestToken']) {
        expect(shown).not.toContain(secret);
      }
    },
  );

  it('keeps the level: debug lines are left out at info in pretty output too', async () => {
    const { out, text } = capture();
    const logger = createLogger({ level: 'info', format: 'pretty' }, out);
    logger.debug('customer said something private');
    logger.warn('visible');
    await settle();
    expect(text()).toContain('visible');
    expect(text()).not.toContain('private');
  });

  it("hides WeChat's EncodingAESKey, access token and push signatures when a caller logs them as fields", async () => {
    const { out, text } = capture();
    createLogger({ level: 'info' }, out).info(
      {
        config: { encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', appSecret: 'f1e2d3c4b5a6978800112233445566aa' },
        access_token: '1_FakeStableAccessTokenForLoggerTest',
        query: {
          signature: 'f464b24fc39322e44b38aa78f5edd27bd1441696',
          msg_signature: '5d197aaffba7e9b25a30732f161a50dee96bd5fa',
          nonce: '1514711492',
        },
      },
      'WeChat push',
    );
    await settle();
    for (const secret of [
      'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
      'f1e2d3c4b5a6978800112233445566aa',
      '1_FakeStableAccessTokenForLoggerTest',
      'f464b24fc39322e44b38aa78f5edd27bd1441696',
      '5d197aaffba7e9b25a30732f161a50dee96bd5fa',
    ])
      expect(text()).not.toContain(secret);
    expect(text()).toContain('1514711492');
  });
});
