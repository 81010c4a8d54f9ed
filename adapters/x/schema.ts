/**
 * The shapes of what X sends, as documented: v2 DM events with their `includes`, and the users and
 * media they refer to. Checked with zod at the edge, so the parser works on documented fields only.
 * @see https://docs.x.com/x-api/direct-messages/lookup/integrate
 * @see https://docs.x.com/x-api/fundamentals/data-dictionary
 */
import { z } from 'zod';

/** A v2 DM event; `event_type` is MessageCreate, ParticipantsJoin or ParticipantsLeave. */
export const dmEventSchema = z.object({
  id: z.string(),
  event_type: z.string(),
  text: z.string().optional(),
  sender_id: z.string().optional(),
  dm_conversation_id: z.string().optional(),
  created_at: z.string().optional(),
  participant_ids: z.array(z.string()).optional(),
  attachments: z.object({ media_keys: z.array(z.string()).optional() }).optional(),
});
export type DmEvent = z.infer<typeof dmEventSchema>;

/** @see https://docs.x.com/x-api/fundamentals/data-dictionary (User: id, name, username, profile_image_url) */
export const userSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  username: z.string().optional(),
  profile_image_url: z.string().optional(),
});
export type XUser = z.infer<typeof userSchema>;

/** @see https://docs.x.com/x-api/fundamentals/data-dictionary (Media: media_key, type photo|animated_gif|video, url, variants) */
export const mediaSchema = z.object({
  media_key: z.string(),
  type: z.string(),
  url: z.string().optional(),
  preview_image_url: z.string().optional(),
  variants: z.array(z.object({ content_type: z.string().optional(), url: z.string(), bit_rate: z.number().optional() })).optional(),
});
export type XMedia = z.infer<typeof mediaSchema>;

/** One page of GET /2/dm_events. @see https://docs.x.com/x-api/direct-messages/get-recent-dm-events */
export const dmEventsPageSchema = z.object({
  data: z.array(z.unknown()).optional(),
  includes: z
    .object({
      users: z.array(z.unknown()).optional(),
      media: z.array(z.unknown()).optional(),
    })
    .optional(),
  meta: z.object({ result_count: z.number().optional(), next_token: z.string().optional() }).optional(),
});
export type DmEventsPage = z.infer<typeof dmEventsPageSchema>;

/** The items of `list` that match `schema`; the others are dropped. */
export function validItems<T>(list: readonly unknown[] | undefined, schema: z.ZodType<T>): T[] {
  return (list ?? []).flatMap((item) => {
    const parsed = schema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}
