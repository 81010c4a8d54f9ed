/**
 * `/inbox emoji :name: <assign|close|escalate|none>` and `/inbox emoji`: what a reaction does on a
 * conversation's thread. The defaults stay ✋ assign, ✅ close, 🚨 escalate; `none` makes an emoji
 * (a default one too) do nothing. Listing is for everyone; changing is for admins.
 */
import type { EmojiAction } from '../../engine/settings.ts';
import { adminRefusal, isAdmin } from '../admins.ts';
import { baseReactionName } from '../emoji.ts';
import { DEFAULT_REACTION_MAP, effectiveReactionMap } from '../reactions.ts';
import { echo, type HelpLine, type InboxGroup, usage } from './context.ts';

export const EMOJI_HELP: HelpLine = {
  usage: '/inbox emoji :name: <assign|close|escalate|none>',
  what: 'what a reaction does on a conversation (defaults: ✋ assign, ✅ close, 🚨 escalate)',
  example: '/inbox emoji :eyes: assign',
};
export const EMOJI_LIST_HELP: HelpLine = { usage: '/inbox emoji', what: 'the reactions in effect', example: '/inbox emoji' };

const ACTIONS: readonly EmojiAction[] = ['assign', 'close', 'escalate', 'none'];
/** A Slack emoji name as typed in a command (`:eyes:`), with or without colons; skin tones are not separate names. */
const NAME = /^:?([a-z0-9_+'-]+):?$/;

/** What `/inbox emoji …` asks for. */
export type EmojiRequest =
  | { readonly kind: 'list' }
  | { readonly kind: 'set'; readonly name: string; readonly action: EmojiAction }
  | { readonly kind: 'invalid'; readonly text: string };

/** Parses the arguments of `/inbox emoji`. */
export function parseEmoji(args: readonly string[]): EmojiRequest {
  if (args.length === 0) return { kind: 'list' };
  const [emoji, action, extra] = args;
  if (!emoji || !action || extra) return { kind: 'invalid', text: usage(EMOJI_HELP) };
  const name = NAME.exec(emoji.toLowerCase())?.[1];
  if (!name) return { kind: 'invalid', text: usage(EMOJI_HELP, `${echo(emoji)} is not an emoji name.`) };
  const chosen = ACTIONS.find((a) => a === action.toLowerCase());
  if (!chosen) return { kind: 'invalid', text: usage(EMOJI_HELP, `${echo(action)} is not something a reaction can do.`) };
  return { kind: 'set', name: baseReactionName(name), action: chosen };
}

/** The reactions in effect, one line per action. */
export function emojiText(overrides: Readonly<Record<string, EmojiAction>>): string {
  const map = effectiveReactionMap(DEFAULT_REACTION_MAP, overrides);
  const list = (value: string | readonly string[] | undefined) => {
    const names = value === undefined ? [] : typeof value === 'string' ? [value] : value;
    return names.length === 0 ? 'no reaction' : names.map((n) => `:${n}:`).join(' ');
  };
  return [
    'Reactions on a conversation:',
    `• assign to whoever reacts: ${list(map.assign)}`,
    `• close (removing it reopens): ${list(map.close)}`,
    `• escalate (removing it de-escalates): ${list(map.escalate)}`,
  ].join('\n');
}

const DOES: Record<EmojiAction, string> = {
  assign: 'assigns the conversation to whoever reacts',
  close: 'closes the conversation (removing it reopens)',
  escalate: 'escalates the conversation (removing it de-escalates)',
  none: 'does nothing',
};

/** `/inbox emoji`. */
export const emojiGroup: InboxGroup = {
  commands: ['emoji'],
  help: [EMOJI_HELP, EMOJI_LIST_HELP],
  async run(_command, args, { userId, client, options }) {
    const request = parseEmoji(args);
    if (request.kind === 'invalid') return request.text;
    if (request.kind === 'list') return emojiText((await options.settingsDocument.read()).emoji);
    if (!(await isAdmin(client, userId, options.adminUsers)))
      return adminRefusal(options.adminUsers, 'change what reactions do', 'use `/inbox emoji` to see them');
    const { name, action } = request;
    await options.settingsDocument.update(userId, `emoji :${name}: → ${action}`, (current) => ({
      ...current,
      emoji: { ...current.emoji, [name]: action },
    }));
    options.logger.info({ emoji: name, action, by: userId }, 'reaction mapping set');
    return `Done: :${name}: now ${DOES[action]}.`;
  },
};
