/**
 * Polling intake: GET /2/dm_events every X_POLL_SECONDS by one instance at a time (a lease in the
 * store), from the newest event back to the cursor, page by page. The cursor (the newest DM event id
 * journaled) lives in the adapter state and moves only after `intake.accept` resolved, so a restart,
 * a crash or another instance neither skips nor repeats a message. The very first poll only sets
 * the cursor: history from before Threadline was connected does not open conversations.
 * @see https://docs.x.com/x-api/direct-messages/lookup/integrate
 */
import type { TwitterApi } from 'twitter-api-v2';
import type { AdapterState, Intake, Logger } from '../../src/channel.ts';
import type { InboundEvent } from '../../src/messages.ts';
import { abortableSleep, exponentialBackoff, retry, type Failure } from '../../src/retry.ts';
import { toChannelError } from './errors.ts';
import { USER_FIELDS } from './profiles.ts';
import type { EventReader } from './read-events.ts';
import { dmEventsPageSchema, mediaSchema, userSchema, validItems, type XMedia, type XUser } from './schema.ts';

/** Adapter-state key of the newest DM event id journaled. */
export const CURSOR_KEY = 'cursor';
/** The lease that elects the one poller among instances. */
export const POLL_LEASE = 'poller';
/** @see https://docs.x.com/x-api/direct-messages/get-recent-dm-events (max_results: 1 <= x <= 100) */
const PAGE_SIZE = 100;
const CALL_TIMEOUT_MS = 30_000;

/**
 * The fields and expansions Threadline reads.
 * @see https://docs.x.com/x-api/direct-messages/get-recent-dm-events
 */
export const DM_EVENTS_QUERY = {
  'dm_event.fields': 'id,event_type,text,created_at,sender_id,dm_conversation_id,attachments,participant_ids',
  expansions: 'sender_id,attachments.media_keys,participant_ids',
  'user.fields': USER_FIELDS.join(','),
  'media.fields': 'media_key,type,url,preview_image_url,variants',
} as const;

export interface PollerOptions {
  readonly client: TwitterApi;
  readonly account: () => Promise<string>;
  readonly read: EventReader;
  readonly state: AdapterState;
  readonly intake: Intake;
  readonly log: Logger;
  readonly now: () => number;
  readonly pollMs: number;
  /** How long the lease lasts unless renewed; renewed on every poll and every retry. */
  readonly leaseMs: number;
  readonly backoffMs?: (attempt: number) => number;
}

/** DM event ids are snowflakes: a larger number is a later event. */
export function isLater(id: string, than: string): boolean {
  try {
    return BigInt(id) > BigInt(than);
  } catch {
    return false;
  }
}

/** Starts the loop; returns stop(), which ends it and gives up the lease. */
export function startPoller(o: PollerOptions): () => Promise<void> {
  const controller = new AbortController();
  const { signal } = controller;
  let holding = false;
  const loop = async () => {
    while (!signal.aborted) {
      let waitMs = o.pollMs;
      try {
        holding = await o.state.lease(POLL_LEASE, o.leaseMs);
        if (holding) await pollOnce(o, signal, () => renew(o, signal));
      } catch (error) {
        if (signal.aborted) break;
        const mapped = toChannelError(error, o.now);
        if (mapped.kind === 'rate_limited') waitMs = Math.max(waitMs, mapped.detail.retryAfterMs ?? 0);
        const level = mapped.kind === 'auth' ? 'error' : 'warn';
        o.log[level]({ err: mapped, waitMs }, 'X DM poll failed, trying again');
      }
      await abortableSleep(waitMs, signal);
    }
  };
  const done = loop().catch((error: unknown) => o.log.error({ err: error }, 'X polling stopped unexpectedly'));
  return async () => {
    controller.abort();
    await done;
    if (holding) await o.state.releaseLease(POLL_LEASE).catch(() => undefined);
  };
}

async function renew(o: PollerOptions, signal: AbortSignal): Promise<boolean> {
  return !signal.aborted && (await o.state.lease(POLL_LEASE, o.leaseMs).catch(() => false));
}

interface Collected {
  readonly events: unknown[];
  readonly users: XUser[];
  readonly media: XMedia[];
  readonly newest: string | undefined;
}

/** One poll: read back to the cursor, journal what is new (oldest first), then move the cursor. */
async function pollOnce(o: PollerOptions, signal: AbortSignal, stillHolding: () => Promise<boolean>): Promise<void> {
  const account = await o.account();
  const cursor = await o.state.get<string>(CURSOR_KEY);
  const collected = await collect(o, cursor, signal);
  if (collected === undefined) return;
  if (cursor === undefined) {
    await o.state.set(CURSOR_KEY, collected.newest ?? '0');
    o.log.info({ cursor: collected.newest ?? '0' }, 'X polling starts after the newest DM: earlier ones are not imported');
    return;
  }
  if (collected.newest === undefined) return;
  const events = await o.read(account, [...collected.events].reverse(), collected);
  if (!(await acceptWithRetry(events, o, signal, stillHolding))) return;
  // Another instance may have moved it further meanwhile (after this one's lease lapsed): never back.
  const current = await o.state.get<string>(CURSOR_KEY);
  if (current === undefined || isLater(collected.newest, current)) await o.state.set(CURSOR_KEY, collected.newest);
}

/** The events newer than `cursor`, newest first, with what X included; only the first page when there is no cursor yet. */
async function collect(o: PollerOptions, cursor: string | undefined, signal: AbortSignal): Promise<Collected | undefined> {
  const events: unknown[] = [];
  const users: XUser[] = [];
  const media: XMedia[] = [];
  let newest: string | undefined;
  let token: string | undefined;
  for (;;) {
    if (signal.aborted) return undefined;
    const query = { ...DM_EVENTS_QUERY, max_results: PAGE_SIZE, ...(token === undefined ? {} : { pagination_token: token }) };
    const answer = await o.client.v2.get('dm_events', query, { timeout: CALL_TIMEOUT_MS });
    const page = dmEventsPageSchema.safeParse(answer);
    if (!page.success) throw new Error('X answered GET /2/dm_events with a body that is not a page of DM events');
    users.push(...validItems(page.data.includes?.users, userSchema));
    media.push(...validItems(page.data.includes?.media, mediaSchema));
    let reached = false;
    for (const event of page.data.data ?? []) {
      const id = (event as { id?: unknown } | null)?.id;
      if (typeof id !== 'string') continue;
      if (cursor !== undefined && !isLater(id, cursor)) {
        reached = true;
        break;
      }
      if (newest === undefined || isLater(id, newest)) newest = id;
      events.push(event);
    }
    token = page.data.meta?.next_token;
    if (cursor === undefined || reached || token === undefined) return { events, users, media, newest };
  }
}

/** Intake must not end by itself: a failing accept is retried until it works, the channel stops, or the lease is lost. */
const keepTrying = (): Failure => ({ kind: 'transient' });

async function acceptWithRetry(
  events: readonly InboundEvent[],
  o: PollerOptions,
  signal: AbortSignal,
  stillHolding: () => Promise<boolean>,
): Promise<boolean> {
  if (events.length === 0) return true;
  const lost = new AbortController();
  const both = AbortSignal.any([signal, lost.signal]);
  try {
    await retry(() => o.intake.accept(events), {
      attempts: Infinity,
      backoff: o.backoffMs ?? exponentialBackoff(500, 30_000),
      signal: both,
      classify: keepTrying,
      onRetry: ({ error, attempt }) => {
        o.log.error({ err: error, attempt, count: events.length }, 'journal unavailable: X DMs kept behind the cursor, retrying');
        void stillHolding().then((held) => {
          if (!held) lost.abort();
        });
      },
    });
    return true;
  } catch (error) {
    if (both.aborted) return false;
    throw error;
  }
}
