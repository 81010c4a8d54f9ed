/**
 * A combined post of several customer messages: one `section` block per message, in order, so each
 * message stays its own part of the Slack message (the engine links every platform message to its
 * post's ts and its section index). Pure builders; the Web API calls are in web-api-slack-port.ts.
 *
 * Slack's limits: up to 50 blocks in a message (https://docs.slack.dev/reference/block-kit/blocks);
 * a section's text at most 3,000 characters and a block_id at most 255, "unique for each message
 * and each iteration of a message" (https://docs.slack.dev/reference/block-kit/blocks/section-block);
 * a message's text is truncated past 40,000 characters
 * (https://docs.slack.dev/reference/methods/chat.postMessage). Slack also refuses blocks whose
 * texts add up to about 13,000 characters with `msg_blocks_too_long`, below any documented figure
 * (https://github.com/slackapi/bolt-js/issues/2509), so a post keeps its sections to 12,000 in all.
 */
import type { BatchLimits } from '../engine/slack-port.ts';
import { escapeText } from './blocks.ts';

export const MAX_SECTIONS = 50;
export const MAX_SECTION_CHARS = 3000;
export const MAX_POST_CHARS = 12_000;
/** `text` beside blocks is what notifications show; Slack advises keeping it under 4,000 characters. */
const MAX_FALLBACK_CHARS = 3000;
/** Room kept in a section for the quote above a message that answers another (a 300-character quote, `> ` per line). */
export const QUOTE_ALLOWANCE = 700;

/** A section block of a combined post, as Threadline writes it and Slack returns it. */
export interface SectionBlock {
  readonly type: 'section';
  readonly block_id: string;
  readonly text: { readonly type: 'mrkdwn'; readonly text: string };
}

/** The section's text as posted: the quote (already Slack text) and the customer's words, escaped. */
export function sectionText(text: string, quote = ''): string {
  return `${quote}${escapeText(text)}`;
}

/** The blocks of a combined post; `version` makes block_ids new when the post is rewritten. */
export function batchBlocks(texts: readonly string[], version?: string): SectionBlock[] {
  return texts.map((text, index) => ({
    type: 'section',
    block_id: `threadline-msg-${index}${version ? `-${version}` : ''}`,
    text: { type: 'mrkdwn', text },
  }));
}

/** What notifications and clients without blocks show: the sections one per line, shortened. */
export function fallbackText(texts: readonly string[]): string {
  const all = texts.join('\n');
  return all.length <= MAX_FALLBACK_CHARS ? all : `${all.slice(0, MAX_FALLBACK_CHARS - 1)}…`;
}

/** The section texts of a combined post as Slack returned it (blocks in order); undefined when it has none. */
export function sectionsOf(blocks: unknown): string[] | undefined {
  if (!Array.isArray(blocks) || blocks.length === 0) return undefined;
  const texts = blocks.map((b) => {
    const block = b as { type?: unknown; text?: { text?: unknown } };
    return block.type === 'section' && typeof block.text?.text === 'string' ? block.text.text : undefined;
  });
  return texts.every((t) => t !== undefined) ? (texts as string[]) : undefined;
}

/** The limits the engine plans batches with, measured on the text as it will be posted (escaped). */
export const batchLimits: BatchLimits = {
  maxSections: MAX_SECTIONS,
  fitsSection: (text, quoting) => text.trim() !== '' && sectionText(text).length + (quoting ? QUOTE_ALLOWANCE : 0) <= MAX_SECTION_CHARS,
  fitsPost: (texts, quotes) =>
    texts.length <= MAX_SECTIONS && texts.reduce((n, t) => n + sectionText(t).length, 0) + quotes * QUOTE_ALLOWANCE <= MAX_POST_CHARS,
};
