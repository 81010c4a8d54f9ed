/**
 * Exactly-once posting to Slack across crashes. Slack has no idempotency key, so each post is
 * tagged with a marker: an intent is recorded before posting and the ts after. If a worker dies
 * between the two, the next attempt finds the intent, reads the thread back for the marker and
 * reuses the message it finds instead of posting it twice.
 */
import type { Store } from '../store/store.ts';
import { keys } from '../store/keys.ts';
import type { PostMarker, SlackPort, ThreadRef } from './slack-port.ts';

const RECORD_TTL_MS = 90 * 24 * 3600 * 1000;

/** Posts at most once per marker and returns the ts of the one message that carries it. */
export async function postOnce(
  deps: { store: Store; slack: SlackPort },
  where: { slackChannelId: string; thread?: ThreadRef },
  marker: PostMarker,
  post: () => Promise<string>,
): Promise<string> {
  const done = await deps.store.get<string>(keys.posted(marker.key));
  if (done) return done;
  const firstTry = await deps.store.setIfAbsent(keys.postIntent(marker.key), true, RECORD_TTL_MS);
  if (!firstTry) {
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
