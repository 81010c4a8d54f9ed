/**
 * Agent-facing words for a failed delivery: what happened, in terms of the customer's platform, and
 * what the agent (or an admin) can do about it. Adapters never write Slack copy
 * (docs/architecture.md, "Errors"): they classify failures as a `ChannelErrorKind` and give their
 * platform's facts as data (`Channel.facts`: its name, the setting an admin fixes, its limits, what
 * unreachable and a closed window mean there), and this file builds the thread notice around them.
 */
import type { PlatformFacts } from '../channel.ts';
import type { ChannelErrorKind } from '../errors.ts';
import { assertNever, type Platform } from '../messages.ts';
import { truncateGraphemes } from '../safe-text.ts';

export { platformName } from '../messages.ts';

/** What failureText needs: the ChannelError's platform, kind and message, plus the outbox's retry count. */
export interface FailureTextInput {
  readonly platform: Platform;
  /** `unknown`: a restart interrupted the send, so whether it arrived is not known. */
  readonly kind: ChannelErrorKind | 'unknown';
  /** The adapter's error message (shown as detail, shortened and escaped). */
  readonly message: string;
  readonly retryAfterMs?: number;
  /** How many times the outbox tried before giving up. */
  readonly attempts?: number;
  /** Threadline refused it before asking the platform: the message is Threadline's own reason and advice. */
  readonly local?: true;
  /** The platform's facts, from its adapter (the engine passes them with the failure). */
  readonly facts: PlatformFacts;
}

/**
 * Words an agent can act on for a failed delivery, as plain Slack mrkdwn for a thread notice.
 * Every `ChannelErrorKind` (and `unknown`) has its own wording; the adapter's message is appended as detail.
 */
export function failureText(input: FailureTextInput): string {
  const { facts } = input;
  const name = facts.displayName;
  if (input.local) return `Not sent: ${clip(input.message)}. Nothing reached ${name}; your reply is kept in this thread.`;
  const detail = input.message.trim() === '' ? '' : ` (${name} said: ${clip(input.message)})`;
  switch (input.kind) {
    case 'unreachable':
      return `Not delivered: ${facts.unreachable}. They can write again to reopen contact.${detail}`;
    case 'rejected':
      return `Not delivered: ${name} refused this message${detail}. Check the size and type of any file (${facts.contentLimits}), then send it again smaller, as a link, or as text.`;
    case 'auth':
      return `Not delivered: ${name} rejected Threadline's credentials, so nothing can be sent on ${name} until an admin fixes the token (${facts.credentials}) and restarts Threadline. Your reply is kept in this thread; send it again afterwards.${detail}`;
    case 'window_closed':
      return `Not delivered: the reply window has closed. ${facts.replyWindow ?? `${name} refused the reply because of a time limit`}. Wait until the customer writes again, then reply in this thread, or reach them another way.${detail}`;
    case 'unknown':
      return `Delivery unknown: Threadline restarted while sending this reply, so it cannot tell whether it reached the customer on ${name}. Ask the customer, or send it again if it matters.${detail}`;
    case 'transient':
    case 'rate_limited':
      return `Not delivered after ${attemptsText(input.attempts)}: ${reason(input)}. Try again in a few minutes by sending your reply again in this thread.${detail}`;
    default:
      return assertNever(input.kind);
  }
}

function attemptsText(attempts: number | undefined): string {
  if (attempts === undefined || attempts <= 1) return 'one attempt';
  return `${attempts} attempts`;
}

function reason(input: FailureTextInput): string {
  const name = input.facts.displayName;
  if (input.kind === 'transient') return `${name} could not be reached or had an error`;
  const wait = input.retryAfterMs === undefined ? '' : ` (it asked to wait ${Math.ceil(input.retryAfterMs / 1000)} s)`;
  return `${name} is limiting how fast messages can be sent${wait}`;
}

/** Shortens a platform message and escapes Slack's control characters. @see https://docs.slack.dev/messaging/formatting-message-text#escaping */
function clip(message: string): string {
  const oneLine = message.replace(/\s+/g, ' ').trim();
  return truncateGraphemes(oneLine, 200).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
