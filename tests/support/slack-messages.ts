/** Reading what Threadline posted in the Slack fake, as the end-to-end tests look at it. */
import type { FakeMessage } from '../fakes/slack-state.ts';

/** Everything a message shows: its blocks and its text, as one string to look for words in. */
export const shown = (message: FakeMessage | undefined): string => JSON.stringify(message?.blocks ?? []) + (message?.text ?? '');

/** The bot's top-level messages in Slack channels: the conversations' parents (and Threadline's channel notices). */
export function parents(slack: { messages(channel: string): FakeMessage[] }, ...channels: readonly string[]): FakeMessage[] {
  return channels.flatMap((channel) => slack.messages(channel).filter((m) => m.bot_id && (!m.thread_ts || m.thread_ts === m.ts)));
}
