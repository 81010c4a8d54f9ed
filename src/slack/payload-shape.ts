/**
 * The fields of a Slack payload that Bolt itself dereferences before any listener runs (to classify
 * it, find its team, user and channel, and pick the action). A signed payload without them made
 * Bolt throw (`reaction_added` with `item: null`, `block_actions` with `actions: {}`), which answered
 * 500 and had Slack deliver the same bad payload again. Both receivers check this first: a payload
 * that fails is answered 400 (HTTP) or acknowledged (Socket Mode), with a warning, and not processed.
 * Each kind follows Bolt's own classification (getTypeAndConversation, buildSource in App.js);
 * a payload of no kind Bolt knows passes, and Bolt ignores it.
 * @see https://docs.slack.dev/reference/events (the event wrapper)
 * @see https://docs.slack.dev/reference/interaction-payloads
 */
import { z } from 'zod';
import { issuesText } from './malformed.ts';

const object = z.looseObject({});
/** `team` and `enterprise` are null in org-wide installs. */
const optionalObject = object.nullable().optional();

const eventWrapper = z.looseObject({
  event: z.looseObject({
    type: z.string(),
    channel: z.union([z.string(), object]).optional(),
    item: object.optional(),
    user: z.union([z.string(), object]).optional(),
    subteam: object.optional(),
  }),
  authorizations: z.array(object).optional(),
});

const command = z.looseObject({ command: z.string() });

/** Interactions: Bolt reads the team from `team.id` or else `user.team_id`, and the channel from `channel.id`. */
const interaction = z.looseObject({
  type: z.string().optional(),
  user: object,
  team: optionalObject,
  enterprise: optionalObject,
  channel: object.optional(),
});
const action = interaction.extend({ actions: z.array(object).optional() });
const view = interaction.extend({ view: object });

/** Which schema a payload must meet, in the order Bolt classifies payloads; undefined for kinds Bolt does not know. */
function schemaFor(body: Readonly<Record<string, unknown>>): z.ZodType | undefined {
  if (body.event !== undefined) return eventWrapper;
  if (body.command !== undefined) return command;
  if (body.name !== undefined || body.type === 'block_suggestion') return interaction;
  if (body.actions !== undefined || body.type === 'dialog_submission') return action;
  if (body.type === 'shortcut' || body.type === 'message_action') return interaction;
  if (body.type === 'view_submission' || body.type === 'view_closed') return view;
  return undefined;
}

/**
 * What is wrong with `body` for Bolt, as `path: problem` (never a value from the payload), or
 * undefined when Bolt can process it.
 */
export function payloadProblem(body: Readonly<Record<string, unknown>>): string | undefined {
  const parsed = schemaFor(body)?.safeParse(body);
  if (parsed === undefined || parsed.success) return undefined;
  return issuesText(parsed.error);
}
