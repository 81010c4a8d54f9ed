/**
 * Reactions and buttons → state changes. A reaction on the parent or any message of a thread is a
 * command: ✋/🙋 assigns to the reacting agent, ✅ closes (removing it reopens), 🚨 escalates
 * (removing it de-escalates). Admins change the mapping with `/inbox emoji`; it is read from the
 * settings document on each reaction, so a change applies at once. The buttons on the parent do the
 * same.
 * @see https://docs.slack.dev/reference/events/reaction_added/
 * @see https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
 */
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { EmojiAction, SettingsStore } from '../engine/settings.ts';
import type { AgentActions, AgentCommand } from '../engine/slack-port.ts';
import {
  ACTION_ASSIGN,
  ACTION_ASSIGN_TO,
  ACTION_CLOSE,
  ACTION_DEESCALATE,
  ACTION_ESCALATE,
  ACTION_MOVE,
  ACTION_REOPEN,
  ACTION_UNASSIGN,
} from './blocks.ts';
import { baseReactionName } from './emoji.ts';
import { languageForFlag, MENU_LANGUAGES } from './flags.ts';
import { warnMalformed } from './malformed.ts';
import { isSlackId, isSlackTs } from './ids.ts';

/** Which Slack reaction names (without colons) mean which command; one name or several each. */
export interface ReactionMap {
  readonly assign: string | readonly string[];
  readonly close: string | readonly string[];
  readonly escalate?: string | readonly string[];
}

/**
 * The default mapping. `raising_hand` is 🙋; ✋ is `hand` (alias `raised_hand`) in Slack's emoji
 * names (iamcal/emoji-data), so all three assign. `white_check_mark` is ✅ (not ✔️
 * `heavy_check_mark`, which Threadline itself puts on delivered replies).
 */
export const DEFAULT_REACTION_MAP: ReactionMap = {
  assign: ['raising_hand', 'hand', 'raised_hand'],
  close: 'white_check_mark',
  escalate: 'rotating_light',
};

const names = (value: string | readonly string[] | undefined): readonly string[] =>
  value === undefined ? [] : typeof value === 'string' ? [value] : value;

/**
 * The mapping in effect: `base`, with each emoji an admin set (`/inbox emoji`) moved to its action,
 * or taken out of every action by `none`.
 */
export function effectiveReactionMap(base: ReactionMap, overrides: Readonly<Record<string, EmojiAction>>): ReactionMap {
  const changed = new Set(Object.keys(overrides).map(baseReactionName));
  const keep = (value: string | readonly string[] | undefined) => names(value).filter((n) => !changed.has(baseReactionName(n)));
  const added = (action: EmojiAction) => Object.keys(overrides).filter((n) => overrides[n] === action);
  return {
    assign: [...keep(base.assign), ...added('assign')],
    close: [...keep(base.close), ...added('close')],
    escalate: [...keep(base.escalate), ...added('escalate')],
  };
}

function matches(list: string | readonly string[] | undefined, reaction: string): boolean {
  const base = baseReactionName(reaction);
  return names(list).some((n) => baseReactionName(n) === base);
}

/** The command a reaction stands for: assign, close or escalate when added; reopen or de-escalate when removed. */
export function commandForReaction(map: ReactionMap, reaction: string, added: boolean): AgentCommand['action'] | undefined {
  if (matches(map.close, reaction)) return added ? 'close' : 'reopen';
  if (matches(map.escalate, reaction)) return added ? 'escalate' : 'deescalate';
  if (added && matches(map.assign, reaction)) return 'assign';
  return undefined;
}

/** Dependencies of {@link registerReactions} and {@link registerButtons}. */
export interface CommandListenerOptions {
  readonly actions: AgentActions;
  /** The defaults the admins' `/inbox emoji` changes apply over (default DEFAULT_REACTION_MAP). */
  readonly reactionMap?: ReactionMap;
  /** Where `/inbox emoji` keeps its changes. */
  readonly settingsDocument?: SettingsStore;
  readonly logger: Logger;
}

/** The fields of `reaction_added` / `reaction_removed` read here; `channel` and `ts` only for message items. */
const reactionEvent = z.looseObject({
  user: z.string(),
  reaction: z.string(),
  item: z.looseObject({ type: z.string(), channel: z.string().optional(), ts: z.string().optional() }),
});

/** The fields of a `block_actions` payload read here; the clicked message comes from `channel`/`message` or `container`. */
const buttonClick = z.looseObject({
  user: z.looseObject({ id: z.string() }),
  channel: z.looseObject({ id: z.string().optional() }).optional(),
  message: z.looseObject({ ts: z.string().optional() }).optional(),
  container: z.looseObject({ channel_id: z.string().optional(), message_ts: z.string().optional() }).optional(),
  actions: z.array(z.looseObject({ action_id: z.string().optional(), selected_user: z.string().nullish() })).optional(),
});

/** Registers `reaction_added` / `reaction_removed` listeners. The bot's own reactions are ignored. */
export function registerReactions(app: App, options: CommandListenerOptions): void {
  const base = options.reactionMap ?? DEFAULT_REACTION_MAP;
  const handle = async (raw: unknown, botUserId: string | undefined, added: boolean) => {
    const parsed = reactionEvent.safeParse(raw);
    if (!parsed.success) return warnMalformed(options.logger, added ? 'reaction_added' : 'reaction_removed', parsed.error);
    const event = parsed.data;
    if (event.item.type !== 'message' || !event.item.channel || !event.item.ts || event.user === botUserId) return;
    const language = added ? languageForFlag(event.reaction) : undefined;
    if (language) {
      await send(options, { action: 'move', language, slackChannelId: event.item.channel, messageTs: event.item.ts, agentId: event.user });
      return;
    }
    const overrides = options.settingsDocument ? (await options.settingsDocument.read()).emoji : {};
    const action = commandForReaction(effectiveReactionMap(base, overrides), event.reaction, added);
    if (!action) return;
    await send(options, { action, slackChannelId: event.item.channel, messageTs: event.item.ts, agentId: event.user });
  };
  app.event('reaction_added', async ({ event, context }) => handle(event, context.botUserId, true));
  app.event('reaction_removed', async ({ event, context }) => handle(event, context.botUserId, false));
}

/** Registers the parent message's buttons and user picker: ack at once, then hand the command to the engine. */
export function registerButtons(app: App, options: CommandListenerOptions): void {
  const buttons: Record<string, AgentCommand['action']> = {
    [ACTION_ASSIGN]: 'assign',
    [ACTION_ASSIGN_TO]: 'assign',
    [ACTION_UNASSIGN]: 'unassign',
    [ACTION_ESCALATE]: 'escalate',
    [ACTION_DEESCALATE]: 'deescalate',
    [ACTION_CLOSE]: 'close',
    [ACTION_REOPEN]: 'reopen',
  };
  for (const [actionId, action] of Object.entries(buttons)) {
    app.action(actionId, async ({ ack, body: raw }) => {
      await ack();
      const parsed = buttonClick.safeParse(raw);
      if (!parsed.success) return warnMalformed(options.logger, 'block_actions', parsed.error);
      const body = parsed.data;
      const slackChannelId = body.channel?.id ?? body.container?.channel_id;
      const messageTs = body.message?.ts ?? body.container?.message_ts;
      if (!slackChannelId || !messageTs) return;
      // The picker's choice: `selected_user` of its action. @see https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
      const picked = actionId === ACTION_ASSIGN_TO ? body.actions?.find((a) => a.action_id === actionId)?.selected_user : undefined;
      if (actionId === ACTION_ASSIGN_TO && !picked) return;
      await send(options, { action, slackChannelId, messageTs, agentId: body.user.id, ...(picked ? { assignee: picked } : {}) });
    });
  }
}

/** The fields of the language menu's `block_actions` payload read here: the chosen option. */
const menuChoice = z.looseObject({
  actions: z.array(z.looseObject({ action_id: z.string(), selected_option: z.looseObject({ value: z.string() }).optional() })),
});

/**
 * Registers the parent's "Move to language…" menu (a static_select): the chosen language moves the conversation.
 * @see https://docs.slack.dev/reference/block-kit/block-elements/select-menu-element#static_select
 */
export function registerLanguageMenu(app: App, options: CommandListenerOptions): void {
  app.action(ACTION_MOVE, async ({ ack, body: raw }) => {
    await ack();
    const parsed = buttonClick.safeParse(raw);
    const choice = menuChoice.safeParse(raw);
    if (!parsed.success) return warnMalformed(options.logger, 'block_actions', parsed.error);
    if (!choice.success) return warnMalformed(options.logger, 'block_actions', choice.error);
    const language = choice.data.actions.find((a) => a.action_id === ACTION_MOVE)?.selected_option?.value;
    const body = parsed.data;
    const slackChannelId = body.channel?.id ?? body.container?.channel_id;
    const messageTs = body.message?.ts ?? body.container?.message_ts;
    if (!slackChannelId || !messageTs || !language || !MENU_LANGUAGES.includes(language)) return;
    await send(options, { action: 'move', language, slackChannelId, messageTs, agentId: body.user.id });
  });
}

async function send(options: CommandListenerOptions, command: AgentCommand): Promise<void> {
  if (
    !isSlackId(command.slackChannelId) ||
    !isSlackTs(command.messageTs) ||
    !isSlackId(command.agentId) ||
    (command.assignee !== undefined && !isSlackId(command.assignee))
  ) {
    options.logger.warn({ action: command.action }, 'slack command with a channel, message or user that is not a Slack id; ignored');
    return;
  }
  const accepted = await options.actions.command(command);
  options.logger.debug({ ...command, accepted }, 'agent command handed over');
}
