/**
 * Pure Block Kit builders for what Threadline shows in Slack. No I/O: the same view always gives
 * the same message, so the parent can be rewritten in place whenever the conversation changes.
 * @see https://docs.slack.dev/reference/block-kit/blocks
 */
import type { types } from '@slack/bolt';
import type { ConversationView } from '../engine/slack-port.ts';
import { truncateGraphemes } from '../safe-text.ts';
import { platformName } from './failure-text.ts';
import { MENU_LANGUAGES } from './flags.ts';

/** Button "Assign to me" on the parent message. */
export const ACTION_ASSIGN = 'threadline_assign';
/** Button "Close" on an open conversation's parent message. */
export const ACTION_CLOSE = 'threadline_close';
/** Button "Reopen" on a closed conversation's parent message. */
export const ACTION_REOPEN = 'threadline_reopen';
/** Button "Escalate" on a conversation's parent message. */
export const ACTION_ESCALATE = 'threadline_escalate';
/** Button "De-escalate" on an escalated conversation's parent message. */
export const ACTION_DEESCALATE = 'threadline_deescalate';
/** User picker "Assign to…" on the parent message: assigns whoever is picked. */
export const ACTION_ASSIGN_TO = 'threadline_assign_to';
/** Button "Unassign" on an assigned conversation's parent message. */
export const ACTION_UNASSIGN = 'threadline_unassign';
/** Menu "Move to language…" on an open conversation's parent message. */
export const ACTION_MOVE = 'threadline_move';

/** A message body: `text` is the notification and screen-reader fallback, `blocks` what Slack renders. */
export interface SlackMessageBody {
  readonly text: string;
  readonly blocks: types.KnownBlock[];
}

/** Options for {@link parentMessage}. */
export interface ParentOptions {
  /** Permalink of the previous (closed) conversation's thread, when `view.previous` is set. */
  readonly previousLink?: string;
  /** Permalink of the thread the conversation was moved from / to, when `view.movedFrom` / `view.movedTo` is set. */
  readonly movedFromLink?: string;
  readonly movedToLink?: string;
  /** Show the contact's picture (default true). Slack refuses the whole message if it cannot fetch the image. */
  readonly showAvatar?: boolean;
  /** Which thread replies go to the customer (`/inbox replies`), said on the parent; unsaid when undefined. */
  readonly replyMode?: 'all' | 'prefixed';
  /** The note prefix, for the reply-mode line (default `note:`). */
  readonly notePrefix?: string;
}

/** The parent's line on which replies reach the customer. */
export function replyModeText(mode: 'all' | 'prefixed', notePrefix = 'note:'): string {
  const note = `\`${escapeText(notePrefix)}\``;
  return mode === 'prefixed'
    ? `🔒 Only replies starting with \`&gt;&gt;\` (or mentioning Threadline) go to the customer; the rest stay internal.`
    : `✉️ Replies in this thread go to the customer; start one with ${note} to keep it internal.`;
}

const languageNames = new Intl.DisplayNames(['en'], { type: 'language' });
/** Names already asked for: every parent message names each language of its menu, and Intl is slow to. */
const namedLanguages = new Map<string, string>();
/** Beyond this many tags (they come from settings and detection, a few dozen in practice), names are not kept. */
const MAX_NAMED = 500;

/** "Korean" for `ko`, "Traditional Chinese" for `zh-Hant`; the tag itself when Intl does not know it. */
export function languageName(tag: string): string {
  const known = namedLanguages.get(tag);
  if (known !== undefined) return known;
  let name: string;
  try {
    name = languageNames.of(tag) ?? tag;
  } catch {
    name = tag;
  }
  if (namedLanguages.size < MAX_NAMED) namedLanguages.set(tag, name);
  return name;
}

/**
 * Escapes the three characters Slack treats as control characters in message text, so a customer's
 * name or words cannot become a mention, a link or a broadcast.
 * @see https://docs.slack.dev/messaging/formatting-message-text#escaping
 */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The customer's display name: name, else handle, else "Telegram user 123". */
export function contactName(view: Pick<ConversationView, 'contact' | 'platform'>): string {
  const { name, handle, id } = view.contact;
  const chosen = name?.trim() || (handle ? `@${handle.replace(/^@/, '')}` : `${platformName(view.platform)} user ${id}`);
  return truncateGraphemes(chosen, 80);
}

/** "⏳ Waiting for reply" / "💬 Answered by <@U1>" / "✅ Closed by <@U1>". */
export function statusText(view: Pick<ConversationView, 'status' | 'answeredBy' | 'closedBy'>): string {
  switch (view.status) {
    case 'waiting':
      return '⏳ Waiting for reply';
    case 'answered':
      return view.answeredBy ? `💬 Answered by <@${view.answeredBy}>` : '💬 Answered';
    case 'closed':
      return view.closedBy ? `✅ Closed by <@${view.closedBy}>` : '✅ Closed';
  }
}

/** "Assigned to <@U1>", or "Unassigned" with why when automatic assignment found nobody. */
export function assigneeText(view: Pick<ConversationView, 'assignee' | 'unassigned' | 'language'>): string {
  if (view.assignee) return `Assigned to <@${view.assignee}>`;
  if (view.unassigned === 'no_language') return 'Unassigned: language unknown, so no agent was picked';
  if (view.unassigned === 'no_agent') return `Unassigned: no agent speaks ${view.language ? languageName(view.language) : 'it'}`;
  return 'Unassigned';
}

function languageLine(language: string | undefined): string {
  if (language === undefined || language === '') return 'Language unknown: sent to the default channel';
  const name = languageName(language);
  return name === language ? name : `${name} (${language})`;
}

/** The languages the parent's menu offers (the flag table's, sorted by name). */
function languageMenu(): types.StaticSelect {
  return {
    type: 'static_select',
    action_id: ACTION_MOVE,
    placeholder: { type: 'plain_text', text: 'Move to language…', emoji: true },
    options: MENU_LANGUAGES.map(
      (tag): types.PlainTextOption => ({ text: { type: 'plain_text', text: languageName(tag), emoji: true }, value: tag }),
    ).sort((a, b) => a.text.text.localeCompare(b.text.text)),
  };
}

function button(actionId: string, label: string, value: string, style?: 'primary'): types.Button {
  return {
    type: 'button',
    action_id: actionId,
    text: { type: 'plain_text', text: label, emoji: true },
    value,
    ...(style ? { style } : {}),
  };
}

/**
 * The user picker that assigns anyone, showing the current assignee.
 * @see https://docs.slack.dev/reference/block-kit/block-elements/select-menu-element#users_select
 */
function assignPicker(assignee: string | undefined): types.UsersSelect {
  return {
    type: 'users_select',
    action_id: ACTION_ASSIGN_TO,
    placeholder: { type: 'plain_text', text: 'Assign to…', emoji: true },
    ...(assignee ? { initial_user: assignee } : {}),
  };
}

/** The parent's escalation line: by whom, or that it waited twice its reply time; empty when not escalated. */
function escalatedText(view: ConversationView): string {
  if (view.escalatedBy) return `\n🚨 Escalated by <@${view.escalatedBy}>`;
  if (view.escalatedOverdue !== undefined) return `\n🚨 Escalated: waited twice the reply time of ${view.escalatedOverdue} min`;
  return '';
}

/**
 * The parent message of a conversation's thread: who, where, language, status, assignee, a link to
 * the previous conversation, and the Assign / Close (or Reopen) buttons. It never contains the
 * customer's words, so channel lists and notifications stay short.
 */
export function parentMessage(view: ConversationView, options: ParentOptions = {}): SlackMessageBody {
  const name = escapeText(contactName(view));
  const handle = view.contact.handle && view.contact.name ? ` (@${escapeText(view.contact.handle.replace(/^@/, ''))})` : '';
  const where = platformName(view.platform);
  const language = languageLine(view.language);
  const status = statusText(view);
  const escalated = escalatedText(view);
  const assignee = assigneeText(view);

  const who: types.SectionBlock = { type: 'section', text: { type: 'mrkdwn', text: `*${name}*${handle}\n${where} · ${language}` } };
  if (view.contact.avatarUrl && options.showAvatar !== false) {
    who.accessory = { type: 'image', image_url: view.contact.avatarUrl, alt_text: contactName(view) };
  }
  const blocks: types.KnownBlock[] = [
    who,
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Status*\n${status}${escalated}` },
        { type: 'mrkdwn', text: `*Assignee*\n${assignee}` },
      ],
    },
  ];
  if (view.previous) {
    const link = options.previousLink ? `<${options.previousLink}|the previous conversation>` : 'a previous conversation';
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `↩️ Continues ${link}, which was closed.` }] });
  }
  if (view.movedFrom) {
    const link = options.movedFromLink ? `<${options.movedFromLink}|the earlier thread>` : 'an earlier thread';
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `⬅️ Moved here from ${link}.` }] });
  }
  if (view.movedTo) {
    // The old parent: no buttons, only where the conversation went.
    const link = options.movedToLink ? `<${options.movedToLink}|the new thread>` : `a new thread in <#${view.movedTo.slackChannelId}>`;
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `➡️ Moved to ${link}: follow the conversation there.` }] });
    return { text: `➡️ Moved: ${name}${handle} on ${where} · ${language}`, blocks };
  }
  if (options.replyMode) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: replyModeText(options.replyMode, options.notePrefix) }] });
  }
  const escalation = escalatedText(view)
    ? button(ACTION_DEESCALATE, 'De-escalate', view.conversationId)
    : button(ACTION_ESCALATE, 'Escalate', view.conversationId);
  const toggle =
    view.status === 'closed'
      ? button(ACTION_REOPEN, 'Reopen', view.conversationId)
      : button(ACTION_CLOSE, 'Close', view.conversationId, 'primary');
  blocks.push({
    type: 'actions',
    // A new block_id when the assignee changes, so Slack shows the picker's new initial user.
    // @see https://docs.slack.dev/reference/block-kit/blocks/actions-block (block_id)
    block_id: `threadline_actions_${view.assignee ?? 'unassigned'}`,
    elements: [
      button(ACTION_ASSIGN, 'Assign to me', view.conversationId),
      assignPicker(view.assignee),
      ...(view.assignee ? [button(ACTION_UNASSIGN, 'Unassign', view.conversationId)] : []),
      escalation,
      toggle,
      ...(view.status === 'closed' ? [] : [languageMenu()]),
    ],
  });

  return {
    text: `${status}${escalatedText(view) ? ' · 🚨 Escalated' : ''}: ${name}${handle} on ${where} · ${language} · ${assignee}`,
    blocks,
  };
}
