/**
 * What the engine counts, as an interface: the engine reports, `src/http/metrics.ts` turns it into
 * Prometheus metrics. Plain calls, no library here.
 */
import type { Platform } from '../messages.ts';

/** The engine's counters. Every method is cheap and never throws. */
export interface EngineMetrics {
  /** Events from a platform were journaled. */
  eventsAccepted(platform: Platform, count: number): void;
  /** A new conversation thread was opened in Slack. */
  conversationOpened(platform: Platform): void;
  /** What became of an agent's reply. */
  replyOutcome(platform: Platform, outcome: 'delivered' | 'failed'): void;
  /** A journal job failed and will be retried. */
  jobRetried(): void;
  /** A journal job kept failing and was set aside (parked) for an operator to replay. */
  jobParked(): void;
  /** A customer message opened nothing because a rule (src/engine/rules.ts) says it is noise. */
  messageIgnored(platform: Platform, rule: string): void;
}

/** Counts nothing (tests, and any engine built without metrics). */
export const noMetrics: EngineMetrics = {
  eventsAccepted: () => undefined,
  conversationOpened: () => undefined,
  replyOutcome: () => undefined,
  jobRetried: () => undefined,
  jobParked: () => undefined,
  messageIgnored: () => undefined,
};
