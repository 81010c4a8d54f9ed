/**
 * Automation rules: which inbound messages open or continue a conversation. Adapters tag noise
 * (story mentions, emoji-only story replies) instead of dropping it, and this file decides, so an
 * admin-facing rule can change without touching an adapter.
 */
import type { InboundMessage } from '../messages.ts';

/** What to do with a customer message. */
export type RuleDecision = { readonly action: 'deliver' } | { readonly action: 'ignore'; readonly rule: string };

// biome-ignore lint/suspicious/noMisleadingCharacterClass: each of U+FE0F (variation selector) and U+200D (joiner) is allowed on its own, as the u flag reads them
const EMOJI_ONLY = /^[\p{Extended_Pictographic}\p{Emoji_Component}\uFE0F\u200D\s]+$/u;

/**
 * Default rules: story mentions, emoji-only story replies and a lone like (Instagram's heart) never
 * open a conversation. (Reactions never do either: they only show on a mirrored message.)
 */
export function applyRules(message: InboundMessage, hasOpenConversation: boolean): RuleDecision {
  if (message.context?.kind === 'story_mention' && !hasOpenConversation) return { action: 'ignore', rule: 'story_mention' };
  if (message.context?.kind === 'like' && !hasOpenConversation) return { action: 'ignore', rule: 'like' };
  const text = message.text?.trim() ?? '';
  const emojiOnly = text.length > 0 && EMOJI_ONLY.test(text) && message.attachments.length === 0;
  if (message.context?.kind === 'story_reply' && emojiOnly && !hasOpenConversation) return { action: 'ignore', rule: 'emoji_story_reply' };
  return { action: 'deliver' };
}
