/**
 * Unicode emoji → Slack reaction names, for customers' reactions mirrored onto Slack messages.
 *
 * Names are Slack's, which come from iamcal/emoji-data (`short_name` in emoji.json of the
 * `emoji-datasource` package, version 16.0.0, checked against the table below).
 * @see https://docs.slack.dev/reference/methods/reactions.add (`name`: reaction name without colons)
 * @see https://github.com/iamcal/emoji-data
 */

/**
 * Every emoji a Telegram user can react with (`ReactionTypeEmoji.emoji`: "Currently, it can be one
 * of …", 73 emoji, in the order the Bot API lists them).
 * @see https://core.telegram.org/bots/api#reactiontypeemoji
 */
const TELEGRAM_REACTIONS: ReadonlyArray<readonly [string, string]> = [
  ['👍', '+1'],
  ['👎', '-1'],
  ['❤', 'heart'],
  ['🔥', 'fire'],
  ['🥰', 'smiling_face_with_3_hearts'],
  ['👏', 'clap'],
  ['😁', 'grin'],
  ['🤔', 'thinking_face'],
  ['🤯', 'exploding_head'],
  ['😱', 'scream'],
  ['🤬', 'face_with_symbols_on_mouth'],
  ['😢', 'cry'],
  ['🎉', 'tada'],
  ['🤩', 'star-struck'],
  ['🤮', 'face_vomiting'],
  ['💩', 'hankey'],
  ['🙏', 'pray'],
  ['👌', 'ok_hand'],
  ['🕊', 'dove_of_peace'],
  ['🤡', 'clown_face'],
  ['🥱', 'yawning_face'],
  ['🥴', 'woozy_face'],
  ['😍', 'heart_eyes'],
  ['🐳', 'whale'],
  ['\u2764\u200D\u{1F525}', 'heart_on_fire'],
  ['🌚', 'new_moon_with_face'],
  ['🌭', 'hotdog'],
  ['💯', '100'],
  ['🤣', 'rolling_on_the_floor_laughing'],
  ['⚡', 'zap'],
  ['🍌', 'banana'],
  ['🏆', 'trophy'],
  ['💔', 'broken_heart'],
  ['🤨', 'face_with_raised_eyebrow'],
  ['😐', 'neutral_face'],
  ['🍓', 'strawberry'],
  ['🍾', 'champagne'],
  ['💋', 'kiss'],
  ['🖕', 'middle_finger'],
  ['😈', 'smiling_imp'],
  ['😴', 'sleeping'],
  ['😭', 'sob'],
  ['🤓', 'nerd_face'],
  ['👻', 'ghost'],
  ['\u{1F468}\u200D\u{1F4BB}', 'male-technologist'],
  ['👀', 'eyes'],
  ['🎃', 'jack_o_lantern'],
  ['🙈', 'see_no_evil'],
  ['😇', 'innocent'],
  ['😨', 'fearful'],
  ['🤝', 'handshake'],
  ['✍', 'writing_hand'],
  ['🤗', 'hugging_face'],
  ['🫡', 'saluting_face'],
  ['🎅', 'santa'],
  ['🎄', 'christmas_tree'],
  ['☃', 'snowman'],
  ['💅', 'nail_care'],
  ['🤪', 'zany_face'],
  ['🗿', 'moyai'],
  ['🆒', 'cool'],
  ['💘', 'cupid'],
  ['🙉', 'hear_no_evil'],
  ['🦄', 'unicorn_face'],
  ['😘', 'kissing_heart'],
  ['💊', 'pill'],
  ['🙊', 'speak_no_evil'],
  ['😎', 'sunglasses'],
  ['👾', 'space_invader'],
  ['\u{1F937}\u200D\u2642', 'man-shrugging'],
  ['🤷', 'shrug'],
  ['\u{1F937}\u200D\u2640', 'woman-shrugging'],
  ['😡', 'rage'],
];

/** Other common reactions (WhatsApp, Instagram and Messenger let customers react with any emoji). */
const COMMON_REACTIONS: ReadonlyArray<readonly [string, string]> = [
  ['😂', 'joy'],
  ['🙂', 'slightly_smiling_face'],
  ['😊', 'blush'],
  ['😀', 'grinning'],
  ['😃', 'smiley'],
  ['😄', 'smile'],
  ['😅', 'sweat_smile'],
  ['😆', 'laughing'],
  ['😉', 'wink'],
  ['🥲', 'smiling_face_with_tear'],
  ['🥳', 'partying_face'],
  ['🥺', 'pleading_face'],
  ['😮', 'open_mouth'],
  ['😲', 'astonished'],
  ['🙁', 'slightly_frowning_face'],
  ['☹', 'white_frowning_face'],
  ['😞', 'disappointed'],
  ['😔', 'pensive'],
  ['😟', 'worried'],
  ['😕', 'confused'],
  ['🙄', 'face_with_rolling_eyes'],
  ['😬', 'grimacing'],
  ['😳', 'flushed'],
  ['😤', 'triumph'],
  ['🤦', 'face_palm'],
  ['🤞', 'crossed_fingers'],
  ['👋', 'wave'],
  ['💪', 'muscle'],
  ['🙌', 'raised_hands'],
  ['👊', 'facepunch'],
  ['✌', 'v'],
  ['✋', 'hand'],
  ['🙋', 'raising_hand'],
  ['👆', 'point_up_2'],
  ['👉', 'point_right'],
  ['🫶', 'heart_hands'],
  ['⭐', 'star'],
  ['✨', 'sparkles'],
  ['🌟', 'star2'],
  ['✅', 'white_check_mark'],
  ['✔', 'heavy_check_mark'],
  ['❌', 'x'],
  ['❗', 'exclamation'],
  ['❓', 'question'],
  ['⚠', 'warning'],
  ['🆗', 'ok'],
  ['♥', 'hearts'],
  ['💙', 'blue_heart'],
  ['💚', 'green_heart'],
  ['💛', 'yellow_heart'],
  ['💜', 'purple_heart'],
  ['🧡', 'orange_heart'],
  ['🖤', 'black_heart'],
  ['🤍', 'white_heart'],
  ['🎁', 'gift'],
  ['💬', 'speech_balloon'],
];

/**
 * The reaction shown when a customer reacts with an emoji this table has no Slack name for
 * (a custom Telegram emoji, a brand-new Unicode emoji): ❔ says "the customer reacted" without
 * pretending to know how. Slack itself cannot show an arbitrary Unicode emoji as a reaction.
 */
export const FALLBACK_REACTION = 'grey_question';

// Skin tone modifiers (U+1F3FB–U+1F3FF) are Slack's `::skin-tone-2` … `::skin-tone-6` suffixes.
const SKIN_TONES = ['\u{1F3FB}', '\u{1F3FC}', '\u{1F3FD}', '\u{1F3FE}', '\u{1F3FF}'];
const VARIATION_SELECTORS = /[\uFE0E\uFE0F]/gu;
/** A Slack reaction name, with or without colons and a skin tone suffix. */
const NAME = /^:?[a-z0-9_+'-]+(?:::skin-tone-[2-6])?:?$/i;

const nameByEmoji = new Map<string, string>([...TELEGRAM_REACTIONS, ...COMMON_REACTIONS]);

/**
 * The Slack reaction name for a Unicode emoji, or undefined when this table does not know it.
 * Variation selectors are ignored ("❤️" = "❤"); a skin tone becomes Slack's `::skin-tone-N` suffix.
 */
export function lookupReactionName(emoji: string): string | undefined {
  let base = emoji.trim().replace(VARIATION_SELECTORS, '');
  let tone: number | undefined;
  SKIN_TONES.forEach((modifier, index) => {
    if (base.includes(modifier)) {
      tone = index + 2;
      base = base.split(modifier).join('');
    }
  });
  const name = nameByEmoji.get(base);
  if (name === undefined) return undefined;
  return tone === undefined ? name : `${name}::skin-tone-${tone}`;
}

/**
 * The Slack reaction name (without colons) for `emoji`: a Unicode emoji is looked up, a Slack name
 * (`:heavy_check_mark:` or `heavy_check_mark`) passes through, and anything unknown becomes
 * {@link FALLBACK_REACTION}. Never throws.
 */
export function toReactionName(emoji: string): string {
  if (NAME.test(emoji.trim())) return emoji.trim().replace(/^:|:$/g, '');
  return lookupReactionName(emoji) ?? FALLBACK_REACTION;
}

/** Slack's name for a reaction without the skin tone (`raised_hand::skin-tone-3` → `raised_hand`). */
export function baseReactionName(reactionName: string): string {
  return reactionName.replace(/^:|:$/g, '').split('::')[0] ?? reactionName;
}
