/**
 * The settings as one job sees them: read from the store once per job, not once per question. A
 * first customer message asks for the rules, the routes, the default channel, the agents and the
 * reply times, which are all one document; on Redis each read is a round trip. A job therefore
 * applies the document as it was when the job first asked, as if it had read it at once; the
 * next job reads it again, so a change by an admin still applies from the next event on.
 */
import type { SettingsStore } from './settings.ts';
import type { RoutingSettings } from './slack-port.ts';

/** Remembers the first answer of `read` (a failed read is not remembered). */
function once<T>(read: () => Promise<T>): () => Promise<T> {
  let answer: Promise<T> | undefined;
  return () => {
    answer ??= read().catch((error: unknown) => {
      answer = undefined;
      throw error;
    });
    return answer;
  };
}

/** The job's views of the settings document and of routing: their reads answered once per job; writes go through. */
export function settingsForJob(
  document: SettingsStore,
  routing: RoutingSettings,
): { settingsDocument: SettingsStore; settings: RoutingSettings } {
  const read = once(() => document.read());
  return {
    settingsDocument: { read, update: (...args) => document.update(...args), audit: (limit) => document.audit(limit) },
    settings: {
      routes: once(() => routing.routes()),
      defaultChannel: once(() => routing.defaultChannel()),
      setRoute: (actor, language, slackChannelId) => routing.setRoute(actor, language, slackChannelId),
      removeRoute: (actor, language) => routing.removeRoute(actor, language),
      setDefaultChannel: (actor, slackChannelId) => routing.setDefaultChannel(actor, slackChannelId),
    },
  };
}
