/**
 * Exactly-once posting to Slack across crashes. Slack has no idempotency key, so each post is
 * tagged with a marker: an intent is recorded before posting and the ts after. If a worker dies
 * between the two, the next attempt finds the intent, reads the thread back for the marker and
 * reuses the message it finds instead of posting it twice. The intent is the first step: the
 * record of the post is read only when an earlier attempt began, so a first attempt costs one
 * write and no read. The intent is kept a day longer than the record of its post, so that it never
 * expires first: a setIfAbsent that wins always means that no post is recorded.
 */
import type { Store } from '../store/store.ts';
import { keys } from '../store/keys.ts';
import type { PostMarker, SlackPort, ThreadRef } from './slack-port.ts';

const RECORD_TTL_MS = 90 * 24 * 3600 * 1000;
/** The intent outlives the record of its post (see above). */
const INTENT_TTL_MS = RECORD_TTL_MS + 24 * 3600 * 1000;

/** Posts at most once per marker and returns the ts of the one message that carries it. */
export async function postOnce(
  deps: { store: Store; slack: SlackPort },
  where: { slackChannelId: string; thread?: ThreadRef },
  marker: PostMarker,
  post: () => Promise<string>,
): Promise<string> {
  // The intent first: winning it means no attempt began (the common case, one write); losing it,
  // the post may be recorded already, or made and not recorded.
  const firstTry = await deps.store.setIfAbsent(keys.postIntent(marker.key), true, INTENT_TTL_MS);
  if (!firstTry) {
    const done = await deps.store.get<string>(keys.posted(marker.key));
    if (done) return done;
    const found = await deps.slack.findPosted(where.slackChannelId, where.thread, marker);
    if (found) {
      await deps.store.set(keys.posted(marker.key), found, RECORD_TTL_MS);
      return found;
    }
  }
  const ts = await post();
  await deps.store.set(keys.posted(marker.key), ts, RECORD_TTL_MS);
  return ts;
}

/**
 * postOnce for a post whose content is decided when it is first attempted (a batch of customer
 * messages): the plan is the intent's value, so every replay posts, or finds, and then records,
 * exactly what the first attempt planned, even if more work has queued up since. An intent
 * recorded before plans existed (`true`) reads as `none`.
 */
export async function postOncePlanned<P>(
  deps: { store: Store; slack: SlackPort },
  where: { slackChannelId: string; thread?: ThreadRef },
  marker: PostMarker,
  plan: { readonly proposed: P; readonly none: P; readonly isPlan: (value: unknown) => value is P },
  post: (plan: P) => Promise<string>,
): Promise<{ ts: string; plan: P }> {
  const recorded = async (): Promise<P> => {
    const value = await deps.store.get<unknown>(keys.postIntent(marker.key));
    return plan.isPlan(value) ? value : plan.none;
  };
  let chosen = plan.proposed;
  if (!(await deps.store.setIfAbsent(keys.postIntent(marker.key), plan.proposed, INTENT_TTL_MS))) {
    chosen = await recorded();
    const done = await deps.store.get<string>(keys.posted(marker.key));
    if (done) return { ts: done, plan: chosen };
    const found = await deps.slack.findPosted(where.slackChannelId, where.thread, marker);
    if (found) {
      await deps.store.set(keys.posted(marker.key), found, RECORD_TTL_MS);
      return { ts: found, plan: chosen };
    }
  }
  const ts = await post(chosen);
  await deps.store.set(keys.posted(marker.key), ts, RECORD_TTL_MS);
  return { ts, plan: chosen };
}
