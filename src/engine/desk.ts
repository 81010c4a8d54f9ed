/**
 * The engine's answers to the team's questions (the waiting list, status, language detection),
 * read from the store's sorted indexes: no command scans every conversation.
 */
import { indexes } from '../store/keys.ts';
import { type EngineContext, loadConversation } from './context.ts';
import { displayName } from './render.ts';
import { routeFor, routedLanguages } from './routing.ts';
import type { DeskQueries, WaitingConversation } from './slack-port.ts';
import { rescheduleReminders } from './waiting.ts';

/** The queries over `ctx`. */
export function createDeskQueries(ctx: EngineContext): DeskQueries {
  return {
    async waiting({ limit, assignee }) {
      const index = ctx.store.index(assignee === undefined ? indexes.waiting() : indexes.waitingFor(assignee));
      const [members, total] = await Promise.all([index.range({ limit }), index.count()]);
      const now = ctx.now();
      const conversations: WaitingConversation[] = [];
      for (const { member, score } of members) {
        const record = await loadConversation(ctx, member);
        if (!record?.thread || record.status !== 'waiting') continue;
        conversations.push({
          conversationId: record.id,
          platform: record.platform,
          customer: displayName(record.contact),
          waitedMs: Math.max(0, now - score),
          thread: record.thread,
          ...(record.language ? { language: record.language } : {}),
          ...(record.assignee ? { assignee: record.assignee } : {}),
        });
      }
      return { conversations, total };
    },
    async status() {
      const ok = await ctx.store.ping().then(
        () => true,
        () => false,
      );
      if (!ok) return { store: { kind: ctx.store.kind, ok }, open: 0, waiting: 0, escalated: 0 };
      const waitingIndex = ctx.store.index(indexes.waiting());
      const [journalBacklog, oldest, waiting, open, escalated] = await Promise.all([
        ctx.store.journal.size(),
        waitingIndex.range({ limit: 1 }),
        waitingIndex.count(),
        ctx.store.index(indexes.open()).count(),
        ctx.store.index(indexes.escalated()).count(),
      ]);
      const first = oldest[0];
      return {
        store: { kind: ctx.store.kind, ok },
        journalBacklog,
        open,
        waiting,
        escalated,
        ...(first ? { oldestWaitingMs: Math.max(0, ctx.now() - first.score) } : {}),
      };
    },
    async detect(text) {
      const routes = await ctx.settings.routes();
      const language = ctx.language.detect(text, routedLanguages(routes));
      const fallback = await ctx.settings.defaultChannel();
      const slackChannelId = routeFor(language, routes, fallback);
      return { slackChannelId, routed: language !== undefined && slackChannelId !== fallback, ...(language ? { language } : {}) };
    },
    remindersChanged: () => rescheduleReminders(ctx),
    async counts() {
      const languages = (await ctx.store.index(indexes.languages()).range()).map(({ member }) => member);
      const rows = await Promise.all(
        languages.map(async (tag) => {
          const language = tag === '-' ? undefined : tag;
          const [waiting, answered, closed] = await Promise.all(
            (['waiting', 'answered', 'closed'] as const).map((status) => ctx.store.index(indexes.byStatus(status, language)).count()),
          );
          return { waiting: waiting ?? 0, answered: answered ?? 0, closed: closed ?? 0, ...(language ? { language } : {}) };
        }),
      );
      return rows.sort((a, b) => (a.language ?? '~').localeCompare(b.language ?? '~'));
    },
    async noteViewer(userId) {
      // Scores are negated so that the lowest score, read first, is the latest visit.
      await ctx.store.index(indexes.homeViewers()).put(userId, -ctx.now());
    },
    async recentViewers(withinMs, limit) {
      const members = await ctx.store.index(indexes.homeViewers()).range({ maxScore: -(ctx.now() - withinMs), limit });
      return members.map(({ member }) => member);
    },
  };
}
