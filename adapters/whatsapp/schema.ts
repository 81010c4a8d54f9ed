/**
 * The WhatsApp Cloud API webhook payloads Threadline reads, as zod schemas of their documented
 * shapes. Objects strip what they do not name, so nothing else leaves the edge.
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/status/
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids/
 */
import { z } from 'zod';

/** Unix seconds, as a string of digits. */
export const timestampSchema = z.string().regex(/^[0-9]{1,12}$/);

/** image, audio, video, document and sticker objects. */
const mediaSchema = z.object({
  id: z.string().min(1),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  voice: z.boolean().optional(),
  animated: z.boolean().optional(),
});

/** A shared contact card. @see https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/contacts */
const contactCardSchema = z.object({
  name: z.object({ formatted_name: z.string().optional(), first_name: z.string().optional(), last_name: z.string().optional() }).optional(),
  phones: z.array(z.object({ phone: z.string().optional(), wa_id: z.string().optional(), type: z.string().optional() })).optional(),
});

/** One incoming message. `from` (the phone) may be absent for a customer who adopted a username (BSUID). */
export const messageSchema = z.object({
  from: z.string().optional(),
  from_user_id: z.string().optional(),
  id: z.string().min(1),
  timestamp: timestampSchema,
  type: z.string(),
  group_id: z.string().optional(),
  context: z
    .object({
      from: z.string().optional(),
      id: z.string().optional(),
      forwarded: z.boolean().optional(),
      frequently_forwarded: z.boolean().optional(),
      referred_product: z.object({ catalog_id: z.string(), product_retailer_id: z.string() }).optional(),
    })
    .optional(),
  text: z.object({ body: z.string() }).optional(),
  image: mediaSchema.optional(),
  audio: mediaSchema.optional(),
  video: mediaSchema.optional(),
  document: mediaSchema.optional(),
  sticker: mediaSchema.optional(),
  location: z
    .object({
      latitude: z.number(),
      longitude: z.number(),
      name: z.string().optional(),
      address: z.string().optional(),
      url: z.string().optional(),
    })
    .optional(),
  contacts: z.array(contactCardSchema).optional(),
  interactive: z
    .object({
      type: z.string(),
      button_reply: z.object({ id: z.string(), title: z.string() }).optional(),
      list_reply: z.object({ id: z.string(), title: z.string(), description: z.string().optional() }).optional(),
    })
    .optional(),
  button: z.object({ payload: z.string().optional(), text: z.string() }).optional(),
  reaction: z.object({ message_id: z.string(), emoji: z.string().optional() }).optional(),
});
export type WhatsAppMessage = z.infer<typeof messageSchema>;

/** `contacts[]`: who the messages are from. */
export const profileSchema = z.object({
  profile: z.object({ name: z.string().optional(), username: z.string().optional() }).optional(),
  wa_id: z.string().optional(),
  user_id: z.string().optional(),
});
export type WhatsAppProfile = z.infer<typeof profileSchema>;

/** `statuses[]`: what became of a message we sent. */
export const statusSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  timestamp: timestampSchema,
  recipient_id: z.string().optional(),
  recipient_user_id: z.string().optional(),
  errors: z
    .array(
      z.object({
        code: z.number(),
        title: z.string().optional(),
        message: z.string().optional(),
        error_data: z.object({ details: z.string().optional() }).optional(),
      }),
    )
    .optional(),
});
export type WhatsAppStatus = z.infer<typeof statusSchema>;

/** One `changes[]` item of field `messages`: arrays are read item by item, so one bad item spoils nothing else. */
export const valueSchema = z.object({
  messaging_product: z.string().optional(),
  metadata: z.object({ display_phone_number: z.string().optional(), phone_number_id: z.string() }),
  contacts: z.array(z.unknown()).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
});

export const entrySchema = z.object({
  id: z.string().optional(),
  changes: z.array(z.object({ field: z.string(), value: z.unknown() })),
});
