/**
 * How a customer's message reads in the thread: its text, plus places and shared contacts as
 * readable lines, or a notice when the adapter could not read it. Files are handled separately
 * (they are uploaded).
 */
import { type Attachment, type Contact, type InboundMessage, platformName } from '../messages.ts';

type Place = Extract<Attachment, { kind: 'location' }>;
type SharedContact = Extract<Attachment, { kind: 'contact' }>;
type MediaAttachment = Exclude<Attachment, Place | SharedContact>;

/** The name a customer is shown under: their name, else @handle, else their platform id. */
export function displayName(contact: Contact): string {
  return contact.name ?? (contact.handle ? `@${contact.handle}` : contact.id);
}

/** A map link anyone can open without an account. */
export function mapLink(latitude: number, longitude: number): string {
  return `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=16/${latitude}/${longitude}`;
}

/** The attachments that are files to upload. */
export function mediaOf(message: InboundMessage): MediaAttachment[] {
  return message.attachments.filter((a): a is MediaAttachment => a.kind !== 'location' && a.kind !== 'contact');
}

/**
 * What stands in the thread for a message the adapter could not read, so the agent knows the
 * customer wrote and can ask again: "⚠️ A message Threadline could not read (Telegram message: text
 * is a number, not a string). …".
 */
function unreadableNotice(message: InboundMessage): string | undefined {
  if (message.unreadable === undefined) return undefined;
  const what = `${platformName(message.platform)} ${message.unreadable.kind.replaceAll('_', ' ')}`;
  return `⚠️ A message Threadline could not read (${what}: ${message.unreadable.reason}). Ask the customer to send it again, as text if they can.`;
}

/** What a message answers or points to (a story), as a line above its text; the story is linked, never copied. */
/** "↪️ Forwarded from Ann", "↪️ Forwarded many times", or undefined for a message of the customer's own. */
function forwardedLine(message: InboundMessage): string | undefined {
  const forwarded = message.forwarded;
  if (forwarded === undefined) return undefined;
  if (forwarded.frequently) return '↪️ Forwarded many times';
  return forwarded.from ? `↪️ Forwarded from ${forwarded.from}` : '↪️ Forwarded';
}

function contextLine(message: InboundMessage): string | undefined {
  const context = message.context;
  if (context === undefined) return undefined;
  const link = context.url ? `: ${context.url}` : '';
  switch (context.kind) {
    case 'story_reply':
      return `↩️ Replied to your story${link}`;
    case 'story_mention':
      return `📣 Mentioned you in their story${link}`;
    case 'post_reply':
      return `↩️ Replied to your post${link}`;
    default:
      return undefined;
  }
}

/** The text lines of a customer message: the unreadable notice, its context (a story), text, captions of files, places and contacts. */
export function renderCustomerText(message: InboundMessage): string {
  const notice = unreadableNotice(message);
  const lines: string[] = notice === undefined ? [] : [notice];
  const context = contextLine(message);
  if (context !== undefined) lines.push(context);
  const forwarded = forwardedLine(message);
  if (forwarded !== undefined) lines.push(forwarded);
  if (message.text) lines.push(message.text);
  for (const attachment of message.attachments) {
    if (attachment.kind === 'location') {
      const name = attachment.name ? `${attachment.name}: ` : '';
      lines.push(
        `📍 Location: ${name}${attachment.latitude}, ${attachment.longitude} ${mapLink(attachment.latitude, attachment.longitude)}`,
      );
    } else if (attachment.kind === 'contact') {
      lines.push(`👤 Contact: ${attachment.name}${attachment.phone ? `, ${attachment.phone}` : ''}`);
    } else if (attachment.caption && attachment.caption !== message.text) {
      lines.push(attachment.caption);
    }
  }
  return lines.join('\n');
}

/** A file name for an attachment that has none (photos and voice notes usually don't). */
export function fileNameFor(attachment: MediaAttachment, index: number, mimeType: string | undefined): string {
  if (attachment.fileName) return attachment.fileName;
  const extension = mimeType?.split('/')[1]?.split(';')[0]?.replace('jpeg', 'jpg').replace('x-tgsticker', 'tgs') ?? 'bin';
  return `${attachment.kind}-${index + 1}.${extension}`;
}
