/**
 * Everything admins set from Slack, as one typed, versioned document in the store with one reader
 * and one writer: routing, agents and their languages, escalation, reply-time reminders, automation
 * rules, reaction emoji and the reply mode. Every instance reads it on use (no cache to go stale),
 * so a change is effective at once everywhere without a restart. Every change records who made it
 * in the audit log (`/inbox audit`).
 */
import { StoreError } from '../errors.ts';
import { keys } from '../store/keys.ts';
import type { Store } from '../store/store.ts';
import type { RoutingSettings } from './slack-port.ts';

/** What a reaction emoji does on a conversation's thread. */
export type EmojiAction = 'assign' | 'close' | 'escalate' | 'none';

/** What an automation rule does with a message of its kind. */
export type RuleAction = 'open' | 'ignore' | 'close';

/** One admin rule: for messages of `kind` on `platform` (`*`: every platform). */
export interface AutomationRule {
  readonly platform: string;
  readonly kind: string;
  readonly action: RuleAction;
}

/** The settings document, version 1. Absent sections mean the defaults of the feature. */
export interface Settings {
  readonly version: 1;
  /** Language tag → Slack channel id. */
  readonly routes: Readonly<Record<string, string>>;
  /** Channel for languages without a route; DEFAULT_CHANNEL until an admin sets one. */
  readonly defaultChannel?: string;
  /** Slack user id → the language tags the agent answers (`/inbox agent @user ko zh-Hant`). */
  readonly agents: Readonly<Record<string, readonly string[]>>;
  /** Where escalations are posted, and the user group they mention. */
  readonly escalation?: { readonly slackChannelId: string; readonly usergroupId?: string };
  /** Reply-time reminders: minutes a conversation may wait, overall and per language. */
  readonly sla: { readonly minutes?: number; readonly byLanguage: Readonly<Record<string, number>> };
  /** Admin rules, later ones first to match; the defaults of src/engine/rules.ts apply otherwise. */
  readonly rules: readonly AutomationRule[];
  /** Emoji name (without colons) → what the reaction does, over the defaults (✋ assign, ✅ close, 🚨 escalate). */
  readonly emoji: Readonly<Record<string, EmojiAction>>;
  /** `all`: every thread reply goes to the customer; `prefixed`: only those starting with `>>` or mentioning the bot. */
  readonly replies: 'all' | 'prefixed';
}

/** The document before any admin changed anything. */
export const DEFAULT_SETTINGS: Settings = Object.freeze({
  version: 1,
  routes: {},
  agents: {},
  sla: { byLanguage: {} },
  rules: [],
  emoji: {},
  replies: 'all',
});

/** One change in the audit log. */
export interface AuditEntry {
  /** Epoch milliseconds. */
  readonly at: number;
  /** Slack user id of who changed it. */
  readonly actor: string;
  /** What changed, in words (`route ko → #C123`). */
  readonly change: string;
}

/** The one reader and writer of the settings document. */
export interface SettingsStore {
  read(): Promise<Settings>;
  /**
   * Applies `apply` to the current document and stores the result, serialized across instances
   * (two admins changing settings at once both keep their change), and records `change` by `actor`
   * in the audit log. Returns the new document; `apply` returning its argument changes nothing and
   * records nothing.
   */
  update(actor: string, change: string, apply: (current: Settings) => Settings): Promise<Settings>;
  /** The latest changes, newest first. */
  audit(limit?: number): Promise<AuditEntry[]>;
}

/** Options of {@link createSettingsStore}. */
export interface SettingsStoreOptions {
  /** This instance's name in the write lock. */
  readonly owner: string;
  readonly now?: () => number;
}

const WRITE_LOCK = 'settings:write';
const LOCK_MS = 5000;
const LOCK_WAIT_MS = 5000;
const AUDIT_INDEX = 'settings:audit';

/** The settings document in `store`. */
export function createSettingsStore(store: Store, options: SettingsStoreOptions): SettingsStore {
  const now = options.now ?? Date.now;
  const read = async (): Promise<Settings> => {
    const stored = await store.get<Partial<Settings>>(keys.settings());
    if (stored !== undefined) return { ...DEFAULT_SETTINGS, ...stored, version: 1 };
    // Before the document existed, /inbox kept routing alone under its own key.
    const legacy = await store.get<{ routes: Record<string, string>; defaultChannel?: string }>(keys.routing());
    return legacy === undefined ? DEFAULT_SETTINGS : { ...DEFAULT_SETTINGS, ...legacy };
  };
  // The store's lock is per instance (a renewal by the same owner succeeds), so calls on this
  // instance also wait for each other, in order.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };
  return {
    read,
    update: (actor, change, apply) =>
      serially(async () => {
        await lock(store, options.owner);
        try {
          const current = await read();
          const next = apply(current);
          if (next === current) return current;
          await store.set(keys.settings(), { ...next, version: 1 });
          const at = now();
          const entry: AuditEntry = { at, actor, change };
          // The member carries the entry; a random suffix keeps two identical changes in one millisecond apart.
          await store.index(AUDIT_INDEX).put(JSON.stringify({ ...entry, n: Math.random() }), -at);
          return next;
        } finally {
          await store.unclaim(WRITE_LOCK, options.owner);
        }
      }),
    async audit(limit = 20) {
      const members = await store.index(AUDIT_INDEX).range({ limit });
      return members.map(({ member }) => {
        const { at, actor, change } = JSON.parse(member) as AuditEntry;
        return { at, actor, change };
      });
    },
  };
}

async function lock(store: Store, owner: string): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  while (!(await store.claim(WRITE_LOCK, owner, LOCK_MS))) {
    if (Date.now() > deadline) throw new StoreError('Settings are being changed by another instance for too long; try again');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Routing as the engine and `/inbox route` see it, over the settings document. */
export function createRoutingSettings(settings: SettingsStore, fallbackChannel: string): RoutingSettings {
  return {
    async routes() {
      return (await settings.read()).routes;
    },
    async defaultChannel() {
      return (await settings.read()).defaultChannel ?? fallbackChannel;
    },
    async setRoute(actor, language, slackChannelId) {
      await settings.update(actor, `route ${language} → <#${slackChannelId}>`, (current) => ({
        ...current,
        routes: { ...current.routes, [language]: slackChannelId },
      }));
    },
    async removeRoute(actor, language) {
      let removed = false;
      await settings.update(actor, `unroute ${language}`, (current) => {
        if (!(language in current.routes)) return current;
        removed = true;
        const { [language]: _removed, ...routes } = current.routes;
        return { ...current, routes };
      });
      return removed;
    },
    async setDefaultChannel(actor, slackChannelId) {
      await settings.update(actor, `route default → <#${slackChannelId}>`, (current) => ({ ...current, defaultChannel: slackChannelId }));
    },
  };
}
