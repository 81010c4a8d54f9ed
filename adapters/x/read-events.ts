/**
 * Raw DM events (a page of GET /2/dm_events, or a webhook delivery turned into the same shape) →
 * InboundEvents, in the order given: profiles resolved, Threadline's own sends dropped, a colleague's
 * DM from the X app kept as the business's, groups and unknown kinds logged once each.
 */
import type { AdapterState, Logger } from '../../src/channel.ts';
import type { InboundEvent } from '../../src/messages.ts';
import { contactIdOf, parseDmEvent } from './parse.ts';
import type { Profiles } from './profiles.ts';
import type { XMedia, XUser } from './schema.ts';
import { sentKey } from './send.ts';

export interface ReaderOptions {
  readonly profiles: Profiles;
  readonly state: AdapterState;
  readonly log: Logger;
  readonly now: () => number;
}

/** What X sent along with the events. */
export interface Included {
  readonly users: readonly XUser[];
  readonly media: readonly XMedia[];
}

export type EventReader = (account: string, events: readonly unknown[], included: Included) => Promise<InboundEvent[]>;

export function createEventReader(o: ReaderOptions): EventReader {
  const warnedKinds = new Set<string>();
  const loggedGroups = new Set<string>();
  let warnedMalformed = false;
  return async (account, events, included) => {
    const contactIds = events.flatMap((event) => contactIdOf(event, account) ?? []);
    const users = await o.profiles.resolve(contactIds, included.users);
    const media = new Map(included.media.map((item) => [item.media_key, item]));
    const out: InboundEvent[] = [];
    for (const raw of events) {
      const result = parseDmEvent(raw, { account, users, media, receivedAt: o.now() });
      switch (result.outcome) {
        case 'message': {
          if (result.ownSend && (await isOurSend(o.state, result.event.messageId))) {
            o.log.debug({ eventId: result.event.eventId }, 'X echo of a Threadline send skipped');
            break;
          }
          if (result.ownSend && result.event.unreadable !== undefined) break;
          out.push(result.event);
          break;
        }
        case 'group':
          if (!loggedGroups.has(result.conversationId)) {
            loggedGroups.add(result.conversationId);
            o.log.info({ dmConversationId: result.conversationId }, 'X group conversation ignored: Threadline bridges one-to-one DMs');
          }
          break;
        case 'unknown_kind':
          if (!warnedKinds.has(result.kind)) {
            warnedKinds.add(result.kind);
            o.log.warn({ kind: result.kind }, 'X DM event of a kind Threadline does not handle; ignored');
          }
          break;
        case 'malformed':
          if (!warnedMalformed) {
            warnedMalformed = true;
            o.log.warn({ kind: 'dm_event' }, 'X sent a DM event without a readable id and type; ignored');
          }
          break;
      }
    }
    return out;
  };
}

async function isOurSend(state: AdapterState, dmEventId: string): Promise<boolean> {
  return (await state.get<boolean>(sentKey(dmEventId))) === true;
}
