/**
 * The engine: takes platform events and agents' actions, journals them per conversation, and
 * drains the journal into Slack and the platforms. Knows no wire format and no Slack API detail.
 */
import { randomUUID } from 'node:crypto';
import type { Intake } from '../channel.ts';
import type { InboundEvent } from '../messages.ts';
import { wellFormedDeep } from '../safe-text.ts';
import { keys } from '../store/keys.ts';
import type { BufferedStore } from '../store/write-buffer.ts';
import { handleAgentCommand } from './commands.ts';
import { toConversationId } from './conversations.ts';
import type { EngineContext, SlackMessageLink } from './context.ts';
import { handleInbound } from './inbound.ts';
import { settingsForJob } from './job-settings.ts';
import type { Job } from './jobs.ts';
import { type EngineMetrics, noMetrics } from './metrics.ts';
import { handleAgentReply, type OutboxTiming } from './outbox.ts';
import { announceParked } from './parking.ts';
import { createReminderSweeper, DEFAULT_REMINDER_OPTIONS, handleOverdue, type ReminderOptions } from './reminders.ts';
import { createDeskQueries } from './desk.ts';
import type { AgentActions, DeskQueries } from './slack-port.ts';
import { type Backlog, createWorker, type WorkerOptions } from './worker.ts';

/** What createEngine needs: the context's seams, plus tuning for tests. */
export interface EngineOptions extends Omit<EngineContext, 'now' | 'metrics'> {
  readonly now?: () => number;
  readonly metrics?: EngineMetrics;
  readonly worker?: Partial<WorkerOptions>;
  readonly outbox?: OutboxTiming;
  /** How often the reply-time reminder sweeper looks for due timers. */
  readonly reminders?: Partial<ReminderOptions>;
}

/** The running engine. */
export interface Engine {
  /** Where channels and webhooks hand events; resolves once they are durably journaled. */
  readonly intake: Intake;
  /** What the Slack side calls. */
  readonly actions: AgentActions;
  /** What the Slack side reads: the waiting list, status, language detection. */
  readonly queries: DeskQueries;
  start(): void;
  stop(): Promise<void>;
}

/** Builds the engine; nothing runs until start(). */
export function createEngine(options: EngineOptions): Engine {
  const ctx: EngineContext = {
    store: options.store,
    slack: options.slack,
    channels: options.channels,
    settings: options.settings,
    settingsDocument: options.settingsDocument,
    language: options.language,
    logger: options.logger,
    metrics: options.metrics ?? noMetrics,
    now: options.now ?? Date.now,
  };
  const handle = async (journaled: Job, signal: AbortSignal, store: BufferedStore, backlog: Backlog): Promise<number | undefined> => {
    // The one place where text from outside (a customer's name, words and file names, an agent's
    // reply) is made well-formed before anything reaches Slack or a platform: a lone surrogate
    // makes the Slack client throw instead of posting. Applied here, it also covers entries
    // journaled before this existed and entries replayed from the parked list.
    const job = wellFormedDeep(journaled);
    // The job's own view of the store: its writes are committed together (src/store/write-buffer.ts).
    // And its own views of the settings: the document is read once per job (src/engine/job-settings.ts).
    const jobCtx: EngineContext = {
      ...ctx,
      ...settingsForJob(ctx.settingsDocument, ctx.settings),
      store,
      afterCommit: (then) => store.afterCommit(then),
    };
    switch (job.type) {
      case 'inbound':
        // The jobs behind it are made well-formed the same way, for a batch that takes them along.
        return handleInbound(jobCtx, job.event, signal, {
          following: async (limit) => (await backlog.following(limit)).map((queued) => wellFormedDeep(queued)),
        });
      case 'agent_reply':
        await handleAgentReply(jobCtx, job.conversationId, job.reply, signal, options.outbox);
        return 0;
      case 'agent_command':
        await handleAgentCommand(jobCtx, job.conversationId, job.thread, job.command, job.requestId);
        return 0;
      case 'overdue':
        await handleOverdue(jobCtx, job);
        return 0;
    }
  };
  const worker = createWorker({
    store: options.store,
    handle,
    onRetry: () => ctx.metrics.jobRetried(),
    onParked: (parked) => announceParked(ctx, { ...parked, job: wellFormedDeep(parked.job) }),
    logger: options.logger.child({ component: 'worker' }),
    ...(options.worker ? { options: options.worker } : {}),
  });
  const append = async (jobs: readonly { queue: string; job: Job }[]) => {
    if (jobs.length === 0) return;
    // The journal tells the worker (Journal.watch), here and on other instances where the store can.
    await options.store.journal.append(jobs.map(({ queue, job }) => ({ queue, payload: job })));
  };

  const intake: Intake = {
    async accept(events: readonly InboundEvent[]) {
      await append(
        events.map((event) => ({
          queue: toConversationId({ platform: event.platform, account: event.account, contactId: event.contact.id }),
          job: { type: 'inbound', event },
        })),
      );
      for (const event of events) ctx.metrics.eventsAccepted(event.platform, 1);
    },
  };

  const actions: AgentActions = {
    async reply(reply) {
      const link = await options.store.get<{ conversationId: string }>(keys.thread(reply.slackChannelId, reply.threadTs));
      if (!link) return false;
      await append([{ queue: link.conversationId, job: { type: 'agent_reply', conversationId: link.conversationId, reply } }]);
      return true;
    },
    async command(command) {
      const link = await linkOf(command.slackChannelId, command.messageTs);
      if (!link) return false;
      await append([
        {
          queue: link.conversationId,
          job: { type: 'agent_command', requestId: randomUUID(), conversationId: link.conversationId, thread: link.thread, command },
        },
      ]);
      return true;
    },
  };

  /** Messages Threadline posted or sent are linked; any other message (a note, say) is found through its thread. */
  async function linkOf(slackChannelId: string, ts: string): Promise<SlackMessageLink | undefined> {
    const link = await options.store.get<SlackMessageLink>(keys.slackMessage(slackChannelId, ts));
    if (link) return link;
    const threadTs = await options.slack.threadOf(slackChannelId, ts);
    if (!threadTs) return undefined;
    const thread = await options.store.get<{ conversationId: string }>(keys.thread(slackChannelId, threadTs));
    return thread ? { conversationId: thread.conversationId, thread: { slackChannelId, threadTs } } : undefined;
  }

  const reminders = createReminderSweeper(ctx, (queue, job) => append([{ queue, job }]), {
    ...DEFAULT_REMINDER_OPTIONS,
    ...options.reminders,
  });
  return {
    intake,
    actions,
    queries: createDeskQueries(ctx),
    start() {
      worker.start();
      reminders.start();
    },
    async stop() {
      // Both at once: the worker takes no new job from the moment stop() is called.
      await Promise.all([reminders.stop(), worker.stop()]);
    },
  };
}
