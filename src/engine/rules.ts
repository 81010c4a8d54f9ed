/**
 * Automation rules: what a customer event of a given kind does. Adapters tag noise (story
 * mentions, emoji-only story replies, likes) instead of dropping it, and this file decides, from a
 * table: the defaults below, with the admins' rules (`/inbox rule`, in the settings document) over
 * them. A rule for one platform beats one for every platform (`*`).
 */
import type { InboundMessage } from '../messages.ts';
import type { AutomationRule, RuleAction } from './settings.ts';

/** What to do with a customer message: deliver it, ignore it (it opens nothing), or deliver it and close. */
export type RuleDecision =
  | { readonly action: 'deliver' }
  | { readonly action: 'ignore'; readonly rule: string }
  | { readonly action: 'close'; readonly rule: string };

/** The kinds a rule can name, with what each covers (shown by `/inbox rules`). */
export const RULE_KINDS = {
  story_mention: 'the customer mentioned the account in a story',
  story_reply_emoji: 'a reply to a story made only of emoji',
  emoji_only: 'a message made only of emoji (not a story reply)',
  like: 'a lone like (the heart Instagram sends)',
  post_reply: 'a reply to a post',
  ad_referral: 'a message that came from an ad',
  reaction: "the customer's reaction to a message (shown on the mirrored message; ignore hides it)",
  contact_status: 'the customer blocked or unblocked the account (a note in the open thread; ignore hides it)',
} as const;

/** A kind a rule can name. */
export type RuleKind = keyof typeof RULE_KINDS;

/**
 * Today's defaults: story mentions, emoji-only story replies and a lone like never open a
 * conversation (in an open one they are shown); everything else is shown.
 */
export const DEFAULT_RULES: readonly AutomationRule[] = Object.freeze([
  { platform: '*', kind: 'story_mention', action: 'ignore' },
  { platform: '*', kind: 'story_reply_emoji', action: 'ignore' },
  { platform: '*', kind: 'like', action: 'ignore' },
  { platform: '*', kind: 'emoji_only', action: 'open' },
  { platform: '*', kind: 'post_reply', action: 'open' },
  { platform: '*', kind: 'ad_referral', action: 'open' },
  { platform: '*', kind: 'reaction', action: 'open' },
  { platform: '*', kind: 'contact_status', action: 'open' },
]);

// biome-ignore lint/suspicious/noMisleadingCharacterClass: each of U+FE0F (variation selector) and U+200D (joiner) is allowed on its own, as the u flag reads them
const EMOJI_ONLY = /^[\p{Extended_Pictographic}\p{Emoji_Component}\uFE0F\u200D\s]+$/u;

/** The rule kind of a message, or undefined for a plain message (always delivered). */
export function kindOf(message: InboundMessage): RuleKind | undefined {
  const text = message.text?.trim() ?? '';
  const emojiOnly = text.length > 0 && EMOJI_ONLY.test(text) && message.attachments.length === 0;
  switch (message.context?.kind) {
    case 'story_mention':
      return 'story_mention';
    case 'like':
      return 'like';
    case 'story_reply':
      return emojiOnly ? 'story_reply_emoji' : undefined;
    case 'post_reply':
      return 'post_reply';
    case 'ad_referral':
      return 'ad_referral';
    default:
      return emojiOnly ? 'emoji_only' : undefined;
  }
}

/** The action for `kind` on `platform`: the admins' rule for that platform, else theirs for `*`, else the default. */
export function actionFor(rules: readonly AutomationRule[], platform: string, kind: RuleKind): RuleAction {
  const find = (list: readonly AutomationRule[], p: string) => list.findLast((r) => r.kind === kind && r.platform === p);
  return (find(rules, platform) ?? find(rules, '*') ?? find(DEFAULT_RULES, '*'))?.action ?? 'open';
}

/**
 * What to do with a customer message. `ignore` opens nothing (a message of that kind is still shown
 * in a conversation already open); `close` shows it and closes the conversation.
 */
export function applyRules(message: InboundMessage, hasOpenConversation: boolean, rules: readonly AutomationRule[] = []): RuleDecision {
  const kind = kindOf(message);
  if (kind === undefined) return { action: 'deliver' };
  const action = actionFor(rules, message.platform, kind);
  if (action === 'ignore') return hasOpenConversation ? { action: 'deliver' } : { action: 'ignore', rule: kind };
  if (action === 'close') return { action: 'close', rule: kind };
  return { action: 'deliver' };
}
