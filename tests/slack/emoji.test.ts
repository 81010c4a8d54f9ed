/** Unicode → Slack reaction names (what SlackPort.addReaction and removeReaction use). Telegram list: https://core.telegram.org/bots/api#reactiontypeemoji */
import { describe, expect, it } from 'vitest';
import { FALLBACK_REACTION, toReactionName } from '../../src/slack/emoji.ts';
import { telegramReactionEmoji } from '../fixtures/telegram/reactions.ts';

describe('emoji', () => {
  it('has a Slack name for every emoji a Telegram user can react with, a different one for each', () => {
    expect(telegramReactionEmoji).toHaveLength(73);
    const names = telegramReactionEmoji.map((emoji) => toReactionName(emoji));
    for (const [index, name] of names.entries()) expect(name, telegramReactionEmoji[index]).toMatch(/^[a-z0-9_+-]+$/);
    expect(names).not.toContain(FALLBACK_REACTION);
    // Distinct, so removing one customer reaction never takes another off the Slack message.
    expect(new Set(names).size).toBe(names.length);
  });

  it('maps common reactions, ignoring variation selectors, and keeps skin tones', () => {
    expect(toReactionName('👍')).toBe('+1');
    expect(toReactionName('❤️')).toBe('heart');
    expect(toReactionName('❤')).toBe('heart');
    expect(toReactionName('\u2764\uFE0F\u200D\u{1F525}')).toBe('heart_on_fire');
    expect(toReactionName('👍🏽')).toBe('+1::skin-tone-4');
    expect(toReactionName('🤷‍♀️')).toBe('woman-shrugging');
  });

  it('passes Slack names through with or without colons', () => {
    expect(toReactionName(':heavy_check_mark:')).toBe('heavy_check_mark');
    expect(toReactionName('eyes')).toBe('eyes');
    expect(toReactionName(':+1::skin-tone-2:')).toBe('+1::skin-tone-2');
  });

  it('falls back to ❔ for an emoji it does not know', () => {
    expect(toReactionName('🦩')).toBe(FALLBACK_REACTION);
    expect(toReactionName('')).toBe(FALLBACK_REACTION);
  });
});
