/**
 * What the engine's job handlers share: the three seams plus routing, language and time.
 * Built once by createEngine.
 */
import { genericFacts, type Channel, type Logger, type PlatformFacts } from '../channel.ts';
import { platformName, type Platform } from '../messages.ts';
import type { Store } from '../store/store.ts';
import { keys } from '../store/keys.ts';
import type { ConversationRecord } from './conversations.ts';
import type { EngineMetrics } from './metrics.ts';
import type { SettingsStore } from './settings.ts';
import type { RoutingSettings, SlackPort, ThreadRef } from './slack-port.ts';

/** Detects a routing language from text (undefined when the text cannot tell). */
export interface LanguageDetection {
  detect(text: string, routed: readonly string[]): string | undefined;
}

/** The engine's dependencies. */
export interface EngineContext {
  readonly store: Store;
  readonly slack: SlackPort;
  readonly channels: ReadonlyMap<Platform, Channel>;
  readonly settings: RoutingSettings;
  /** The whole settings document (agents, escalation, reminders, rules, emoji, reply mode). */
  readonly settingsDocument: SettingsStore;
  readonly language: LanguageDetection;
  readonly logger: Logger;
  readonly metrics: EngineMetrics;
  readonly now: () => number;
  /**
   * In a job, runs `then` once the job's writes so far are committed (a job's writes wait and are
   * committed together: src/store/write-buffer.ts). Absent outside a job, where writes are at once.
   */
  readonly afterCommit?: (then: () => void) => void;
}

/** Runs `then` once what was written so far is committed: at once outside a job. */
export function whenCommitted(ctx: Pick<EngineContext, 'afterCommit'>, then: () => void): void {
  if (ctx.afterCommit) ctx.afterCommit(then);
  else then();
}

/** What the channel of `platform` says about its platform; plain facts when it is not running. */
export function platformFacts(ctx: Pick<EngineContext, 'channels'>, platform: Platform): PlatformFacts {
  return ctx.channels.get(platform)?.facts ?? genericFacts(platformName(platform));
}

/** Where a Slack message belongs: its conversation and the thread it is in. */
export interface SlackMessageLink {
  readonly conversationId: string;
  readonly thread: ThreadRef;
}

/** Where a platform message is mirrored in Slack. */
export interface MirrorLink {
  readonly thread: ThreadRef;
  readonly ts: string;
  /** Its section in a combined post of several customer messages; undefined for a post of its own. */
  readonly section?: number;
}

const LINK_TTL_MS = 180 * 24 * 3600 * 1000;

/** Reads the current record of a conversation. */
export function loadConversation(ctx: EngineContext, conversationId: string): Promise<ConversationRecord | undefined> {
  return ctx.store.get<ConversationRecord>(keys.conversation(conversationId));
}

/** Persists the current record of a conversation. */
export function saveConversation(ctx: EngineContext, record: ConversationRecord): Promise<void> {
  return ctx.store.set(keys.conversation(record.id), record);
}

/** Remembers which conversation a Slack message belongs to (reactions may land on any of them). */
export function linkSlackMessage(ctx: EngineContext, slackChannelId: string, ts: string, link: SlackMessageLink): Promise<void> {
  return ctx.store.set(keys.slackMessage(slackChannelId, ts), link, LINK_TTL_MS);
}

/** Remembers where a platform message shows in Slack (for the customer's reactions and edits). */
export function linkPlatformMessage(
  ctx: EngineContext,
  conversationId: string,
  platformMessageId: string,
  link: MirrorLink,
): Promise<void> {
  return ctx.store.set(keys.platformMessage(conversationId, platformMessageId), link, LINK_TTL_MS);
}

/** The ISO time now. */
export function isoNow(ctx: EngineContext): string {
  return new Date(ctx.now()).toISOString();
}
