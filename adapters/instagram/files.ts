/**
 * What Instagram takes as a file from the Send API: a link it fetches, of an image (PNG, JPEG or GIF,
 * up to 8 MB), audio or video (up to 25 MB), or a PDF document (up to 25 MB).
 * @see https://developers.facebook.com/documentation/business-messaging/instagram-messaging/features/attachment-upload
 * @see https://developers.facebook.com/docs/messenger-platform/instagram/features/send-message
 */
import type { OutboundFile } from '../../src/messages.ts';

const MB = 1024 * 1024;
/** The largest file of each kind Instagram accepts. */
export const MAX_FILE_BYTES: Readonly<Record<OutboundFile['kind'], number>> = {
  image: 8 * MB,
  audio: 25 * MB,
  video: 25 * MB,
  file: 25 * MB,
};
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif']);

/** Why Instagram would refuse `file`, in words for the agent; undefined when it takes it. */
export function refuseInstagramFile(file: OutboundFile): string | undefined {
  const type = file.mimeType?.toLowerCase().split(';')[0]?.trim();
  if (file.kind === 'image' && (type === undefined || !IMAGE_TYPES.has(type)))
    return `Instagram takes images only as PNG, JPEG or GIF, and ${file.fileName} is ${type ?? 'of an unknown type'}`;
  if (file.kind === 'file' && type !== 'application/pdf')
    return `Instagram takes documents only as PDF, and ${file.fileName} is ${type ?? 'of an unknown type'}: send it as a PDF, or share a link`;
  const max = MAX_FILE_BYTES[file.kind];
  if (file.data.byteLength > max)
    return `${file.fileName} is larger than the ${max / MB} MB Instagram takes for ${file.kind === 'file' ? 'a document' : `${file.kind === 'image' ? 'an' : 'a'} ${file.kind}`}`;
  return undefined;
}
