/** `/inbox detect <text>`: which language a text is detected as, and which channel it would go to. */
import { type DeskCommandOptions, describeLanguage, type InvalidRequest, invalid } from './shared.ts';

export type DetectRequest = { readonly kind: 'detect'; readonly text: string };

export const DETECT_HELP = [
  '`/inbox detect <text>`: which language a message is detected as, and where it would go, e.g. `/inbox detect 배송이 언제 되나요?`',
];

/** Parses `detect <text>`; `rest` is everything after the subcommand, as typed. Undefined for other subcommands. */
export function parseDetect(command: string, rest: string): DetectRequest | InvalidRequest | undefined {
  if (command !== 'detect') return undefined;
  const text = rest.trim();
  return text === '' ? invalid('Usage: `/inbox detect <text>`, e.g. `/inbox detect 배송이 언제 되나요?`') : { kind: 'detect', text };
}

/** The verdict, as Slack mrkdwn. */
export async function runDetect(request: DetectRequest, options: DeskCommandOptions): Promise<string> {
  // Slack escapes &, < and > in command text; the customer's words reach the detector unescaped.
  const text = request.text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const verdict = await options.queries.detect(text);
  if (verdict.language === undefined)
    return `Too short to tell (or no language in it): a conversation starting like this goes by the customer's platform language if it gives one, else to the default channel, <#${verdict.slackChannelId}>.`;
  const where = verdict.routed
    ? `<#${verdict.slackChannelId}>`
    : `the default channel, <#${verdict.slackChannelId}> (no route for it: \`/inbox route ${verdict.language} #channel\`)`;
  return `Detected as ${describeLanguage(verdict.language)}: it would go to ${where}.`;
}
