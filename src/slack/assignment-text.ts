/**
 * The note in the thread when the assignee changes (the parent's field is in blocks.ts). Mentions (`<@U…>`) notify the new assignee.
 * @see https://docs.slack.dev/messaging/formatting-message-text#mentioning-users
 */
import type { AssignmentNote } from '../engine/slack-port.ts';
import { languageName } from './blocks.ts';

/** "👤 Assigned to <@B> by <@A>", "👤 Assigned to <@B> automatically: speaks Korean", "👤 Unassigned by <@A>". */
export function assignmentNoteText(note: AssignmentNote): string {
  const language = note.language ? languageName(note.language) : undefined;
  if (note.assignee && note.by) return `👤 Assigned to <@${note.assignee}> by <@${note.by}>.`;
  if (note.assignee) return `👤 Assigned to <@${note.assignee}> automatically${language ? `: speaks ${language}` : ''}.`;
  if (note.by) return `👤 Unassigned by <@${note.by}>.`;
  if (note.unassigned === 'no_language')
    return '👤 Not assigned: the language could not be told. Pick someone with *Assign to* on the parent message.';
  return `👤 Not assigned: no agent is listed for ${language ?? 'this language'} (\`/inbox agent\`). Pick someone with *Assign to* on the parent message.`;
}
