/**
 * App Home: the team's dashboard. Counts per language and status, the conversations waiting the
 * longest, and those assigned to the viewer, each linking to its thread; the routes in effect and
 * where to get help. Published when a user opens it, and again for recent viewers soon after a
 * conversation changes (several changes in a row give one refresh).
 * @see https://docs.slack.dev/reference/events/app_home_opened/
 * @see https://docs.slack.dev/reference/methods/views.publish
 */
import type { App, types, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { DeskQueries, LanguageCounts, RoutingSettings } from '../engine/slack-port.ts';
import { languageName } from './blocks.ts';
import { routesText } from './inbox-command.ts';
import { waitingLine } from './inbox/waiting.ts';
import { warnMalformed } from './malformed.ts';

/** The fields of `app_home_opened` read here. */
const homeOpened = z.looseObject({ user: z.string().min(1), tab: z.string().optional() });

/** Dependencies of App Home. */
export interface HomeOptions {
  readonly settings: RoutingSettings;
  readonly queries: DeskQueries;
  readonly logger: Logger;
  /** Wait after a change before refreshing, so a burst of changes gives one refresh (default 500 ms). */
  readonly refreshDelayMs?: number;
}

const OLDEST_SHOWN = 5;
const MINE_SHOWN = 10;
/** Viewers whose Home is refreshed after a change: those who opened it within a day, at most this many. */
const VIEWERS_REFRESHED = 100;
const VIEWER_WINDOW_MS = 24 * 3600 * 1000;

/** What the Home tab shows, read before rendering. */
export interface HomeContent {
  readonly routes: string;
  readonly counts: readonly LanguageCounts[];
  /** mrkdwn lines, the oldest first. */
  readonly oldest: readonly string[];
  readonly waitingTotal: number;
  readonly mine: readonly string[];
}

const section = (text: string): types.KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });

/** One line per language: waiting, answered, closed. */
function countLine(row: LanguageCounts): string {
  const name = row.language ? languageName(row.language) : 'Language not told';
  return `• *${name}*: ⏳ ${row.waiting} waiting · 💬 ${row.answered} answered · ✅ ${row.closed} closed`;
}

/** The Home tab view (pure). */
export function homeView(content: HomeContent): types.HomeView {
  const counts = content.counts.length === 0 ? 'No conversations yet.' : content.counts.map(countLine).join('\n');
  const oldest =
    content.oldest.length === 0
      ? 'Nothing is waiting for a reply. 🎉'
      : `${content.oldest.join('\n')}${content.waitingTotal > content.oldest.length ? `\n…${content.waitingTotal} waiting in all: \`/inbox open\`` : ''}`;
  const mine = content.mine.length === 0 ? 'Nothing assigned to you is waiting for a reply.' : content.mine.join('\n');
  return {
    type: 'home',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'Threadline', emoji: true } },
      section(
        'Customer messages from Telegram and other platforms arrive here as one thread per conversation, ' +
          "in the channel of the customer's language. Reply in the thread to answer the customer; start with `note:` " +
          'to keep a reply internal. React with :raising_hand: to take a conversation and :white_check_mark: to close it.',
      ),
      { type: 'divider' },
      section(`*Conversations by language*\n${counts}`),
      section(`*Waiting the longest*\n${oldest}`),
      section(`*Assigned to you, waiting*\n${mine}`),
      { type: 'divider' },
      section(content.routes),
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Type `/inbox help` for the commands.' }] },
    ],
  };
}

/** Reads what `userId`'s Home shows and publishes it. */
export async function publishHome(client: webApi.WebClient, userId: string, options: HomeOptions): Promise<void> {
  const [routes, counts, waiting, mine] = await Promise.all([
    routesText(options.settings),
    options.queries.counts(),
    options.queries.waiting({ limit: OLDEST_SHOWN }),
    options.queries.waiting({ limit: MINE_SHOWN, assignee: userId }),
  ]);
  const lines = (list: typeof waiting.conversations) => Promise.all(list.map((c) => waitingLine(client, c, options)));
  const content: HomeContent = {
    routes,
    counts,
    oldest: await lines(waiting.conversations),
    waitingTotal: waiting.total,
    mine: await lines(mine.conversations),
  };
  await client.views.publish({ user_id: userId, view: homeView(content) });
}

/** Publishes the Home tab whenever a user opens it; returns what refreshes it after changes. */
export function registerHome(app: App, options: HomeOptions): { refreshSoon(): void; stop(): void } {
  app.event('app_home_opened', async ({ event: raw, client }) => {
    const parsed = homeOpened.safeParse(raw);
    if (!parsed.success) return warnMalformed(options.logger, 'app_home_opened', parsed.error);
    const event = parsed.data;
    if (event.tab !== 'home') return;
    await options.queries.noteViewer(event.user);
    await publishHome(client, event.user, options);
    options.logger.debug({ userId: event.user }, 'app home published');
  });
  let pending: NodeJS.Timeout | undefined;
  let stopped = false;
  const refresh = async () => {
    pending = undefined;
    if (stopped) return;
    const viewers = await options.queries.recentViewers(VIEWER_WINDOW_MS, VIEWERS_REFRESHED);
    for (const userId of viewers) await publishHome(app.client, userId, options);
    options.logger.debug({ viewers: viewers.length }, 'app home refreshed');
  };
  return {
    refreshSoon() {
      if (pending !== undefined || stopped) return;
      pending = setTimeout(
        () => void refresh().catch((error: unknown) => options.logger.warn({ err: error }, 'app home not refreshed')),
        options.refreshDelayMs ?? 500,
      );
      pending.unref();
    },
    stop() {
      stopped = true;
      clearTimeout(pending);
      pending = undefined;
    },
  };
}
