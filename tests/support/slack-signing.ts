/**
 * Signs and sends requests exactly as Slack does, and builds the documented payloads (Events API
 * wrapper, slash command form, block_actions interaction), for Bolt in HTTP mode and for the fake's
 * Socket Mode envelopes.
 *
 * Signing: `X-Slack-Signature: v0=` + hex HMAC-SHA256(signing secret, `v0:${timestamp}:${rawBody}`),
 * with `X-Slack-Request-Timestamp` in Unix seconds.
 * Source: https://docs.slack.dev/authentication/verifying-requests-from-slack
 */
import { createHmac } from 'node:crypto';

/** Slack's signing headers for `rawBody`. `timestamp` is Unix seconds (default now). */
export function signSlack(
  secret: string,
  rawBody: string,
  timestamp: number = Math.floor(Date.now() / 1000),
): {
  'x-slack-signature': string;
  'x-slack-request-timestamp': string;
} {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
  return { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(timestamp) };
}

/** Team, app and bot identity used by the payload builders (match the fake's defaults). */
export const SLACK_TEST_IDS = { teamId: 'T0THREAD', appId: 'A0THREAD', botUserId: 'UBOT', botId: 'BBOT' } as const;

let eventCounter = 0;

/**
 * The Events API wrapper around an inner event.
 * Source: https://docs.slack.dev/reference/events/reaction_added/ (wrapper example), https://api.slack.com/types/event
 */
export function eventCallback(
  event: Record<string, unknown>,
  options: { eventId?: string; teamId?: string } = {},
): Record<string, unknown> {
  const teamId = options.teamId ?? SLACK_TEST_IDS.teamId;
  eventCounter += 1;
  return {
    token: 'XXYYZZ',
    team_id: teamId,
    api_app_id: SLACK_TEST_IDS.appId,
    event,
    type: 'event_callback',
    event_id: options.eventId ?? `Ev${String(eventCounter).padStart(8, '0')}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      { enterprise_id: null, team_id: teamId, user_id: SLACK_TEST_IDS.botUserId, is_bot: true, is_enterprise_install: false },
    ],
  };
}

/**
 * A slash command's form fields.
 * Source: https://docs.slack.dev/interactivity/implementing-slash-commands#app_command_handling
 */
export function slashCommand(fields: {
  command?: string;
  text: string;
  userId: string;
  channelId?: string;
  responseUrl?: string;
}): Record<string, string> {
  return {
    token: 'gIkuvaNzQIHg97ATvDxqgjtO',
    team_id: SLACK_TEST_IDS.teamId,
    team_domain: 'threadline-test',
    channel_id: fields.channelId ?? 'C0ADMIN',
    channel_name: 'admin',
    user_id: fields.userId,
    user_name: fields.userId.toLowerCase(),
    command: fields.command ?? '/inbox',
    text: fields.text,
    api_app_id: SLACK_TEST_IDS.appId,
    is_enterprise_install: 'false',
    response_url: fields.responseUrl ?? 'https://hooks.slack.com/commands/T0THREAD/1/abc',
    trigger_id: '13345224609.738474920.8088930838d88f008e0',
  };
}

/**
 * A `block_actions` payload for a button click on a message.
 * Source: https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
 */
export function blockActions(fields: {
  actionId: string;
  userId: string;
  channelId: string;
  messageTs: string;
  value?: string;
}): Record<string, unknown> {
  return {
    type: 'block_actions',
    team: { id: SLACK_TEST_IDS.teamId, domain: 'threadline-test' },
    user: { id: fields.userId, username: fields.userId.toLowerCase(), team_id: SLACK_TEST_IDS.teamId },
    api_app_id: SLACK_TEST_IDS.appId,
    token: 'Shh_its_a_seekrit',
    container: { type: 'message', message_ts: fields.messageTs, channel_id: fields.channelId, is_ephemeral: false },
    trigger_id: '12466734323.1395872398.4d6ee7fbc3fb6bb3d2c8f0b2b2d2c0e3',
    channel: { id: fields.channelId, name: 'support' },
    message: { type: 'message', ts: fields.messageTs, text: 'conversation', bot_id: SLACK_TEST_IDS.botId },
    response_url: 'https://hooks.slack.com/actions/T0THREAD/1/xyz',
    actions: [
      {
        type: 'button',
        action_id: fields.actionId,
        block_id: 'threadline_actions',
        text: { type: 'plain_text', text: 'button', emoji: true },
        value: fields.value ?? 'conversation',
        action_ts: '1548426417.840180',
      },
    ],
  };
}

/**
 * A `block_actions` payload for a choice in a `users_select` menu on a message: the action carries
 * `selected_user` instead of a button's `value`.
 * Source: https://docs.slack.dev/reference/interaction-payloads/block_actions-payload ,
 * https://docs.slack.dev/tools/bolt-js/reference/interfaces/UsersSelectAction
 */
export function userSelected(fields: {
  actionId: string;
  userId: string;
  channelId: string;
  messageTs: string;
  selectedUser: string;
}): Record<string, unknown> {
  const payload = blockActions(fields);
  return {
    ...payload,
    actions: [
      {
        type: 'users_select',
        action_id: fields.actionId,
        block_id: 'threadline_actions',
        selected_user: fields.selectedUser,
        action_ts: '1548426417.840180',
      },
    ],
  };
}

/** What a signed POST answered. */
export interface SignedResponse {
  readonly status: number;
  readonly text: string;
  readonly headers: Headers;
}

/**
 * POSTs `rawBody` signed with `secret`. `signature` overrides the header (to test a wrong one);
 * `timestamp` signs with another time (to test replays).
 */
export async function postSigned(
  url: string,
  secret: string,
  rawBody: string,
  contentType: string,
  options: { timestamp?: number; signature?: string } = {},
): Promise<SignedResponse> {
  const headers = signSlack(secret, rawBody, options.timestamp);
  if (options.signature !== undefined) headers['x-slack-signature'] = options.signature;
  const response = await fetch(url, { method: 'POST', body: rawBody, headers: { 'content-type': contentType, ...headers } });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** POSTs an Events API body (JSON). Pass an inner event (with `type`) or a full `event_callback`. */
export function postEvent(
  url: string,
  secret: string,
  eventOrBody: Record<string, unknown>,
  options: { timestamp?: number; signature?: string } = {},
): Promise<SignedResponse> {
  const body = eventOrBody.type === 'event_callback' || eventOrBody.type === 'url_verification' ? eventOrBody : eventCallback(eventOrBody);
  return postSigned(url, secret, JSON.stringify(body), 'application/json', options);
}

/** POSTs a slash command as `application/x-www-form-urlencoded` (Bolt parses only that exact type). */
export function postSlashCommand(url: string, secret: string, fields: Record<string, string>): Promise<SignedResponse> {
  return postSigned(url, secret, new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded');
}

/** POSTs an interaction (`payload=<json>`, form-encoded), as Slack sends block_actions. */
export function postInteraction(
  url: string,
  secret: string,
  payload: Record<string, unknown>,
  options: { timestamp?: number } = {},
): Promise<SignedResponse> {
  return postSigned(
    url,
    secret,
    new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    'application/x-www-form-urlencoded',
    options,
  );
}

/**
 * A `block_actions` payload for an option chosen in a static select menu on a message: the action
 * carries `selected_option` (text and value) instead of a button's `value`.
 * Source: https://docs.slack.dev/reference/interaction-payloads/block_actions-payload ,
 * https://docs.slack.dev/reference/block-kit/block-elements/select-menu-element#static_select
 */
export function selectMenuAction(fields: {
  actionId: string;
  userId: string;
  channelId: string;
  messageTs: string;
  value: string;
  label: string;
}): Record<string, unknown> {
  const base = blockActions(fields);
  return {
    ...base,
    actions: [
      {
        type: 'static_select',
        action_id: fields.actionId,
        block_id: 'threadline_actions',
        selected_option: { text: { type: 'plain_text', text: fields.label, emoji: true }, value: fields.value },
        placeholder: { type: 'plain_text', text: 'Move to language…', emoji: true },
        action_ts: '1548426417.840180',
      },
    ],
  };
}
