/**
 * Test harness for the Slack side: the real Bolt app (HTTP or Socket Mode) against the fake Slack,
 * with a recording AgentActions and an in-memory RoutingSettings.
 */
import { createSettingsStore } from '../../src/engine/settings.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgentActions, AgentCommand, AgentReply, DeskQueries, RoutingSettings } from '../../src/engine/slack-port.ts';
import { createSlackApp, type SlackApp } from '../../src/slack/bolt.ts';
import { registerSlackHandlers, type SlackHandlerDeps } from '../../src/slack/register.ts';
import { captureLogger } from '../support/capture-logger.ts';
import type { FakeSlack } from '../fakes/slack-api.ts';

export const BOT_TOKEN = 'xoxb-1111-2222-threadlinetest';
export const APP_TOKEN = 'xapp-1-A0THREAD-3333-threadlinetest';
export const SIGNING_SECRET = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';

/** AgentActions that records every call and answers `known` (true by default). */
export function recordingActions(known = true) {
  const replies: AgentReply[] = [];
  const commands: AgentCommand[] = [];
  const actions: AgentActions = {
    async reply(reply) {
      replies.push(reply);
      return known;
    },
    async command(command) {
      commands.push(command);
      return known;
    },
  };
  return { actions, replies, commands };
}

/** The engine's queries when nothing was ever received (the Slack-side tests have no engine). */
export const emptyDesk: DeskQueries = {
  waiting: async () => ({ conversations: [], total: 0 }),
  status: async () => ({ store: { kind: 'memory', ok: true }, journalBacklog: 0, open: 0, waiting: 0, escalated: 0 }),
  detect: async () => ({ slackChannelId: 'C0DEFAULT', routed: false }),
  remindersChanged: async () => undefined,
  counts: async () => [],
  noteViewer: async () => undefined,
  recentViewers: async () => [],
};

/** RoutingSettings in memory, as the engine persists them. */
export function memorySettings(initial: { routes?: Record<string, string>; defaultChannel?: string } = {}) {
  const routes = new Map(Object.entries(initial.routes ?? {}));
  let fallback = initial.defaultChannel ?? 'C0DEFAULT';
  const settings: RoutingSettings = {
    routes: async () => Object.fromEntries(routes),
    defaultChannel: async () => fallback,
    setRoute: async (_actor, language, slackChannelId) => void routes.set(language, slackChannelId),
    removeRoute: async (_actor, language) => routes.delete(language),
    setDefaultChannel: async (_actor, slackChannelId) => {
      fallback = slackChannelId;
    },
  };
  return { settings, routes, defaultChannel: () => fallback };
}

const KNOWN_TAGS = ['en', 'ko', 'ja', 'no', 'pt', 'es', 'zh-Hans', 'zh-Hant'];

/** A promise and the function that resolves it (to hold a listener until the test lets it go on). */
export function deferred(): { readonly promise: Promise<void>; readonly resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** A small stand-in for the engine's language normalizer: canonical tags for a known set. */
export function normalizeLanguage(tag: string): string | undefined {
  return KNOWN_TAGS.find((known) => known.toLowerCase() === tag.toLowerCase());
}

/** Everything a test needs: the fake, the Slack app, the recorded engine calls, the logs. */
export interface Harness {
  readonly slack: SlackApp;
  readonly recorded: ReturnType<typeof recordingActions>;
  readonly routing: ReturnType<typeof memorySettings>;
  readonly logs: ReturnType<typeof captureLogger>;
  /** HTTP mode: the URL of POST /slack/events on a plain node server. */
  readonly eventsUrl?: string;
  close(): Promise<void>;
}

/** Options that change the deps handed to registerSlackHandlers. */
export type HarnessOptions = Partial<Pick<SlackHandlerDeps, 'adminUsers' | 'notePrefix' | 'reactionMap'>> & {
  readonly mode: 'http' | 'socket';
  readonly routes?: Record<string, string>;
};

/** Starts the real Bolt app against `fake` (start the fake first) and registers Threadline's listeners. */
export async function startHarness(fake: FakeSlack, options: HarnessOptions): Promise<Harness> {
  const logs = captureLogger({ level: 'debug', secrets: [BOT_TOKEN, APP_TOKEN, SIGNING_SECRET] });
  const slack = createSlackApp({
    botToken: BOT_TOKEN,
    ...(options.mode === 'socket' ? { appToken: APP_TOKEN, socketPingTimeoutMs: 200 } : { signingSecret: SIGNING_SECRET }),
    apiUrl: fake.apiUrl,
    logger: logs.logger.child({ component: 'slack' }),
    retryConfig: { retries: 0 },
  });
  const recorded = recordingActions();
  const routing = memorySettings(options.routes ? { routes: options.routes } : {});
  registerSlackHandlers(slack.app, {
    actions: recorded.actions,
    settings: routing.settings,
    settingsDocument: createSettingsStore(createMemoryStore(), { owner: 'slack-harness' }),
    queries: emptyDesk,
    platforms: () => new Map([['telegram', 'live']]),
    normalizeLanguage,
    adminUsers: options.adminUsers ?? [],
    logger: logs.logger,
    ...(options.notePrefix ? { notePrefix: options.notePrefix } : {}),
    ...(options.reactionMap ? { reactionMap: options.reactionMap } : {}),
  });
  let server: Server | undefined;
  let eventsUrl: string | undefined;
  if (slack.httpHandler) {
    const handler = slack.httpHandler;
    // The service's shared server mounts the handler at POST /slack/events; a bare server does here.
    server = createServer((req, res) =>
      req.url === '/slack/events' && req.method === 'POST' ? handler(req, res) : res.writeHead(404).end(),
    );
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  }
  await slack.start();
  return {
    slack,
    recorded,
    routing,
    logs,
    ...(eventsUrl ? { eventsUrl } : {}),
    async close() {
      await slack.stop();
      if (server) await new Promise<void>((resolve) => server?.close(() => resolve()));
    },
  };
}
