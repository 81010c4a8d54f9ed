/** Wires every Slack listener Threadline has onto a Bolt app. */
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { SettingsStore } from '../engine/settings.ts';
import type { AgentActions, DeskQueries, RoutingSettings } from '../engine/slack-port.ts';
import { registerHome } from './home.ts';
import { registerInboxCommand } from './inbox-command.ts';
import { registerButtons, registerLanguageMenu, registerReactions, type ReactionMap } from './reactions.ts';
import { registerReplies } from './replies.ts';

/** What the listeners need from the rest of Threadline. */
export interface SlackHandlerDeps {
  readonly actions: AgentActions;
  /** The engine's waiting list, status and language detection. */
  readonly queries: DeskQueries;
  /** Each configured platform and whether it is `live` (for `/inbox status`). */
  readonly platforms: () => ReadonlyMap<string, string>;
  readonly settings: RoutingSettings;
  /** The whole settings document, for the team commands. */
  readonly settingsDocument: SettingsStore;
  /** Canonical language tag for `/inbox route`, or undefined when the tag is unknown. */
  readonly normalizeLanguage: (tag: string) => string | undefined;
  /** ADMIN_USERS: Slack user ids who may change settings besides workspace admins and owners. */
  readonly adminUsers: readonly string[];
  /** Default `note:`. */
  readonly notePrefix?: string;
  /** Default DEFAULT_REACTION_MAP. */
  readonly reactionMap?: ReactionMap;
  readonly logger: Logger;
}

/**
 * Registers thread replies, reactions, buttons, `/inbox` and App Home on `app`. Call once, before
 * `start()`. Returns what refreshes App Home after a change (the Slack port calls it), and stop() for shutdown. Listener errors reach Bolt's error handler (logged) and leave the request
 * unacknowledged (Socket Mode) or answered 500 (HTTP), so Slack delivers an event again.
 */
export function registerSlackHandlers(app: App, deps: SlackHandlerDeps): { refreshHome(): void; stop(): void } {
  const logger = deps.logger;
  registerReplies(app, {
    actions: deps.actions,
    logger,
    settingsDocument: deps.settingsDocument,
    ...(deps.notePrefix === undefined ? {} : { notePrefix: deps.notePrefix }),
  });
  const commandOptions = {
    actions: deps.actions,
    logger,
    settingsDocument: deps.settingsDocument,
    ...(deps.reactionMap ? { reactionMap: deps.reactionMap } : {}),
  };
  registerReactions(app, commandOptions);
  registerButtons(app, commandOptions);
  registerLanguageMenu(app, commandOptions);
  registerInboxCommand(app, {
    settings: deps.settings,
    settingsDocument: deps.settingsDocument,
    queries: deps.queries,
    platforms: deps.platforms,
    normalizeLanguage: deps.normalizeLanguage,
    adminUsers: deps.adminUsers,
    logger,
  });
  const home = registerHome(app, { settings: deps.settings, queries: deps.queries, logger });
  return { refreshHome: () => home.refreshSoon(), stop: () => home.stop() };
}
