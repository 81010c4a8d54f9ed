/** Unicode ↔ Slack reaction names. Telegram list: https://core.telegram.org/bots/api#reactiontypeemoji */
import { describe, expect, it } from 'vitest';
import { FALLBACK_REACTION, lookupReactionName, TELEGRAM_REACTION_EMOJI, toReactionName, toUnicode } from '../../src/slack/emoji.ts';

describe('emoji', () => {
  it('has a Slack name for every emoji a Telegram user can react with', () => {
    expect(TELEGRAM_REACTION_EMOJI).toHaveLength(73);
    for (const emoji of TELEGRAM_REACTION_EMOJI) expect(lookupReactionName(emoji), emoji).toMatch(/^[a-z0-9_+-]+$/);
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

  it('turns Slack names back into Unicode, aliases and skin tones included', () => {
    expect(toUnicode('+1')).toBe('👍');
    expect(toUnicode(':thumbsup:')).toBe('👍');
    expect(toUnicode('raised_hand')).toBe('✋');
    expect(toUnicode('+1::skin-tone-3')).toBe('👍🏼');
    expect(toUnicode('party_parrot')).toBeUndefined();
    for (const emoji of TELEGRAM_REACTION_EMOJI) expect(toUnicode(toReactionName(emoji))).toBe(emoji);
  });
});
