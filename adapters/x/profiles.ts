/**
 * The customer's name, @handle and picture: from the users X sent along (`includes.users`, the
 * webhook's `users` map), else from the user lookup, and cached in the adapter state for a day so a
 * busy conversation does not spend the lookup's rate limit.
 * @see https://docs.x.com/x-api/users/lookup/introduction
 */
import type { TwitterApi } from 'twitter-api-v2';
import type { AdapterState, Logger } from '../../src/channel.ts';
import { toChannelError } from './errors.ts';
import { userSchema, validItems, type XUser } from './schema.ts';

const PROFILE_TTL_MS = 24 * 60 * 60 * 1000;
/** @see https://docs.x.com/x-api/users/lookup/introduction (GET /2/users: up to 100 ids) */
const LOOKUP_BATCH = 100;
export const USER_FIELDS = ['name', 'username', 'profile_image_url'] as const;

const profileKey = (id: string): string => `user:${id}`;

export interface Profiles {
  /** The users `ids` name, from `included`, the cache or the lookup; an id that cannot be looked up is left out. */
  resolve(ids: readonly string[], included: readonly XUser[]): Promise<Map<string, XUser>>;
}

export function createProfiles(client: TwitterApi, state: AdapterState, log: Logger): Profiles {
  return {
    async resolve(ids, included) {
      const found = new Map<string, XUser>();
      for (const user of included) {
        found.set(user.id, user);
        await state.set(profileKey(user.id), user, PROFILE_TTL_MS).catch(() => undefined);
      }
      const wanted = [...new Set(ids)].filter((id) => !found.has(id));
      const missing: string[] = [];
      for (const id of wanted) {
        const cached = await state.get<XUser>(profileKey(id)).catch(() => undefined);
        if (cached === undefined) missing.push(id);
        else found.set(id, cached);
      }
      for (let i = 0; i < missing.length; i += LOOKUP_BATCH) {
        const batch = missing.slice(i, i + LOOKUP_BATCH);
        try {
          const answer = await client.v2.users(batch, { 'user.fields': [...USER_FIELDS] });
          for (const user of validItems(answer.data, userSchema)) {
            found.set(user.id, user);
            await state.set(profileKey(user.id), user, PROFILE_TTL_MS).catch(() => undefined);
          }
        } catch (error) {
          // The conversation still opens, under the user id; the next message tries again.
          log.warn({ err: toChannelError(error), count: batch.length }, 'X user lookup failed; customers shown by id');
        }
      }
      return found;
    },
  };
}
