/**
 * Prometheus metrics at `GET /metrics`: the engine's counters, the journal's backlog (read at
 * scrape time, so every instance on one Redis reports the shared backlog) and Node's process
 * metrics. prom-client is the de facto Prometheus client for Node.
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { EngineMetrics } from '../engine/metrics.ts';
import type { Journal } from '../store/store.ts';

/** The engine-facing counters plus what the server needs to answer a scrape. */
export interface Metrics {
  readonly engine: EngineMetrics;
  /** The exposition text and its content type. */
  scrape(): Promise<{ readonly contentType: string; readonly body: string }>;
}

/** One registry per app (no global state, so several apps can run in one process, as tests do). */
export function createMetrics(journal: Journal): Metrics {
  const registry = new Registry();
  // The event loop lag histogram samples once a second, not every 10 ms (prom-client's default):
  // the 10 ms timer alone kept an idle process busy for several ms of CPU per second.
  collectDefaultMetrics({ register: registry, prefix: 'threadline_', eventLoopMonitoringPrecision: 1000 });
  const events = new Counter({
    name: 'threadline_inbound_events_total',
    help: 'Platform events journaled',
    labelNames: ['platform'],
    registers: [registry],
  });
  const opened = new Counter({
    name: 'threadline_conversations_opened_total',
    help: 'Conversation threads opened in Slack',
    labelNames: ['platform'],
    registers: [registry],
  });
  const replies = new Counter({
    name: 'threadline_replies_total',
    help: 'Agent replies by outcome',
    labelNames: ['platform', 'outcome'],
    registers: [registry],
  });
  const retries = new Counter({
    name: 'threadline_job_retries_total',
    help: 'Journal jobs that failed and were scheduled again',
    registers: [registry],
  });
  const parked = new Counter({
    name: 'threadline_jobs_parked_total',
    help: 'Journal jobs that kept failing and were set aside (threadline journal parked lists them)',
    registers: [registry],
  });
  const ignored = new Counter({
    name: 'threadline_messages_ignored_total',
    help: 'Customer messages that opened nothing because a rule calls them noise (story mentions, likes, emoji story replies, reactions)',
    labelNames: ['platform', 'rule'],
    registers: [registry],
  });
  new Gauge({
    name: 'threadline_journal_pending',
    help: 'Journal entries not yet processed (across every instance sharing the store)',
    registers: [registry],
    async collect() {
      this.set(await journal.size());
    },
  });
  return {
    engine: {
      eventsAccepted: (platform, count) => events.inc({ platform }, count),
      conversationOpened: (platform) => opened.inc({ platform }),
      replyOutcome: (platform, outcome) => replies.inc({ platform, outcome }),
      jobRetried: () => retries.inc(),
      jobParked: () => parked.inc(),
      messageIgnored: (platform, rule) => ignored.inc({ platform, rule }),
    },
    async scrape() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
