/** Delivery failures in words an agent can act on, for every ChannelErrorKind. */
import { describe, expect, it } from 'vitest';
import { instagramFacts } from '../../adapters/instagram/facts.ts';
import { messengerFacts } from '../../adapters/messenger/facts.ts';
import { TELEGRAM_FACTS } from '../../adapters/telegram/facts.ts';
import { WECHAT_FACTS } from '../../adapters/wechat/facts.ts';
import { WHATSAPP_FACTS } from '../../adapters/whatsapp/facts.ts';
import { X_FACTS } from '../../adapters/x/facts.ts';
import type { PlatformFacts } from '../../src/channel.ts';
import type { ChannelErrorKind } from '../../src/errors.ts';
import type { Platform } from '../../src/messages.ts';
import { failureText, platformName, type FailureTextInput } from '../../src/slack/failure-text.ts';

/** Each platform's facts as its adapter gives them (`Channel.facts`); X and WeChat keep theirs for their adapters to come. */
const FACTS: Readonly<Record<Platform, PlatformFacts>> = {
  telegram: TELEGRAM_FACTS,
  whatsapp: WHATSAPP_FACTS,
  instagram: instagramFacts(false),
  messenger: messengerFacts(false),
  x: X_FACTS,
  wechat: WECHAT_FACTS,
};

/** failureText with the facts the engine passes along with the failure. */
const explain = (input: Omit<FailureTextInput, 'facts'>) => failureText({ ...input, facts: FACTS[input.platform] });

const KINDS: readonly (ChannelErrorKind | 'unknown')[] = [
  'transient',
  'rate_limited',
  'window_closed',
  'unreachable',
  'rejected',
  'auth',
  'unknown',
];
const PLATFORMS: readonly Platform[] = ['telegram', 'whatsapp', 'instagram', 'messenger', 'x', 'wechat'];

describe('failureText', () => {
  it('explains a blocked Telegram bot and how contact resumes', () => {
    expect(explain({ platform: 'telegram', kind: 'unreachable', message: 'Forbidden: bot was blocked by the user' })).toBe(
      'Not delivered: the customer blocked the bot or deleted the chat, so Telegram refuses messages to them. They can write again to reopen contact. (Telegram said: Forbidden: bot was blocked by the user)',
    );
  });

  it('names the token an admin must fix', () => {
    const text = explain({ platform: 'telegram', kind: 'auth', message: 'Unauthorized' });
    expect(text).toContain('an admin fixes the token (TELEGRAM_BOT_TOKEN)');
    expect(explain({ platform: 'whatsapp', kind: 'auth', message: '' })).toContain('WHATSAPP_TOKEN');
  });

  it('says what was refused and the limits', () => {
    const text = explain({ platform: 'telegram', kind: 'rejected', message: 'Request Entity Too Large' });
    expect(text).toContain('Telegram refused this message (Telegram said: Request Entity Too Large)');
    expect(text).toContain('50 MB');
  });

  it("words Threadline's own refusal as its own: the platform never saw the message", () => {
    const text = explain({
      platform: 'instagram',
      kind: 'rejected',
      local: true,
      message: 'Instagram takes documents only as PDF, and notes.docx is application/msword: send it as a PDF, or share a link',
    });
    expect(text).toBe(
      'Not sent: Instagram takes documents only as PDF, and notes.docx is application/msword: send it as a PDF, or share a link. Nothing reached Instagram; your reply is kept in this thread.',
    );
    expect(text).not.toContain('Instagram refused');
    expect(text).not.toContain('Instagram said');
  });

  it('explains a closed reply window and what to do instead', () => {
    const text = explain({ platform: 'whatsapp', kind: 'window_closed', message: '(#131047) Re-engagement message' });
    expect(text).toContain('within 24 hours');
    expect(text).toContain('Wait until the customer writes again');
  });

  it('counts attempts for transient failures and rate limits, and suggests trying again', () => {
    expect(explain({ platform: 'telegram', kind: 'transient', message: 'ETIMEDOUT', attempts: 5 })).toMatch(
      /^Not delivered after 5 attempts: Telegram could not be reached.*Try again/,
    );
    expect(explain({ platform: 'x', kind: 'rate_limited', message: 'Too Many Requests', attempts: 3, retryAfterMs: 60_000 })).toContain(
      'X is limiting how fast messages can be sent (it asked to wait 60 s)',
    );
  });

  it('says when the outcome is unknown after a restart', () => {
    expect(explain({ platform: 'telegram', kind: 'unknown', message: '' })).toContain(
      'cannot tell whether it reached the customer on Telegram',
    );
  });

  it('has distinct, non-empty words for every kind on every platform, and escapes the platform message', () => {
    for (const platform of PLATFORMS) {
      const texts = KINDS.map((kind) => explain({ platform, kind, message: 'a <b> & c' }));
      expect(new Set(texts).size).toBe(KINDS.length);
      for (const text of texts) {
        expect(text).toContain(platformName(platform));
        expect(text).toContain('a &lt;b&gt; &amp; c');
      }
    }
  });
});
