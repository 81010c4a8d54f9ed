/**
 * The composition root: builds every object of a running Threadline from the configuration, with
 * plain constructors. Tests pass overrides (a store, a clock, a log destination) instead of mocking
 * modules. Nothing else imports the adapter registry.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DestinationStream } from 'pino';
import { channelFactories } from '../adapters/index.ts';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { storeAdapterState } from './adapter-state.ts';
import { asGroupFactory, type Channel, type ChannelGroupFactory, type WebhookRoute } from './channel.ts';
import { configSecrets, type Config } from './config.ts';
import { StartupError } from './errors.ts';
import { createEngine, type Engine } from './engine/engine.ts';
import { createLanguageDetector, normalizeLanguageTag } from './engine/language.ts';
import { createRoutingSettings, createSettingsStore } from './engine/settings.ts';
import type { WorkerOptions } from './engine/worker.ts';
import type { OutboxTiming } from './engine/outbox.ts';
import type { ReminderOptions } from './engine/reminders.ts';
import { createMetrics } from './http/metrics.ts';
import { createPublicFiles } from './http/public-files.ts';
import { createHttpServer } from './http/server.ts';
import { createLogger, type Logger } from './logger.ts';
import type { Platform } from './messages.ts';
import { createSlackApp, type SlackApp } from './slack/bolt.ts';
import { createPacer } from './slack/pacing.ts';
import { registerSlackHandlers } from './slack/register.ts';
import { createWebApiSlackPort } from './slack/web-api-slack-port.ts';
import { createStore } from './store/create-store.ts';
import type { Store } from './store/store.ts';

/** What tests (and only tests) replace. */
export interface AppOverrides {
  readonly store?: Store;
  readonly now?: () => number;
  readonly logDestination?: DestinationStream;
  readonly worker?: Partial<WorkerOptions>;
  readonly outbox?: OutboxTiming;
  /** Reply-time reminder sweeps (tests sweep often, with their own clock). */
  readonly reminders?: Partial<ReminderOptions>;
  /** Web API retries (tests use `{ retries: 0 }`). */
  readonly slackRetries?: number;
  readonly socketPingTimeoutMs?: number;
  /** How long an agent's Slack presence is reused (default 60 s; tests that change presence use 0). */
  readonly presenceTtlMs?: number;
}

/** A built Threadline: start() connects everything, stop() releases it. */
export interface ThreadlineApp {
  readonly server: Server;
  readonly logger: Logger;
  readonly store: Store;
  readonly engine: Engine;
  readonly slack: SlackApp;
  readonly channels: ReadonlyMap<Platform, Channel>;
  /**
   * Listens on PORT, then connects Slack, starts the worker and the channels. Resolves with the bound
   * port; rejects with a StartupError (busy port, refused token, Slack unreachable). Call stop() after
   * a rejection too: it releases what was taken.
   */
  start(): Promise<number>;
  stop(): Promise<void>;
}

/** Builds the app from a validated configuration; connects nothing yet except the store. */
export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<ThreadlineApp> {
  const platforms = channelFactories
    .map(asGroupFactory)
    .map((factory) => ({ factory, settings: factory.readConfig(config.env) }))
    .filter((entry): entry is { factory: ChannelGroupFactory; settings: NonNullable<unknown> } => entry.settings !== undefined);
  const secrets = [...configSecrets(config), ...platforms.flatMap(({ factory, settings }) => factory.secretsOf(settings))];
  const logger = createLogger({ level: config.logLevel, format: config.logFormat, secrets }, overrides.logDestination);
  const now = overrides.now ?? Date.now;
  const store = overrides.store ?? (await createStore({ ...(config.storeUrl ? { url: config.storeUrl } : {}), dataDir: config.dataDir }));
  const language = await createLanguageDetector({ database: config.languageDatabase });

  /** This instance's name in the leases its channels take (one X poller, one token refresher). */
  const instanceId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  // PUBLIC_URL: outgoing files for platforms that take them only as links, served by every instance from the store.
  const files = config.publicUrl === undefined ? undefined : createPublicFiles({ store, publicUrl: config.publicUrl, now });

  const channels = new Map<Platform, Channel>();
  /** Routes shared by the channels of a group (one webhook feeding several platforms). */
  const sharedRoutes: WebhookRoute[] = [];
  for (const { factory, settings } of platforms) {
    const group = factory.create(settings, (platform) => ({
      logger: logger.child({ platform }),
      state: storeAdapterState(store, platform, instanceId),
      now,
      ...(files === undefined ? {} : { files }),
    }));
    for (const channel of group.channels) channels.set(channel.platform, channel);
    sharedRoutes.push(...group.routes);
  }

  const slack = createSlackApp({
    botToken: config.slack.botToken,
    ...(config.slack.appToken ? { appToken: config.slack.appToken } : {}),
    ...(config.slack.signingSecret ? { signingSecret: config.slack.signingSecret } : {}),
    apiUrl: config.slack.apiUrl,
    logger: logger.child({ component: 'slack' }),
    ...(overrides.slackRetries === undefined ? {} : { retryConfig: { retries: overrides.slackRetries } }),
    ...(overrides.socketPingTimeoutMs === undefined ? {} : { socketPingTimeoutMs: overrides.socketPingTimeoutMs }),
  });
  const settingsStore = createSettingsStore(store, { owner: instanceId, now });
  const pacer = createPacer({ perSecond: config.slackPostsPerSecond, logger: logger.child({ component: 'pacing' }) });
  const slackPort = createWebApiSlackPort({
    client: slack.client,
    pacer,
    botToken: config.slack.botToken,
    logger: logger.child({ component: 'slack' }),
    now,
    replyMode: async () => (await settingsStore.read()).replies,
    notePrefix: config.notePrefix,
    ...(overrides.presenceTtlMs === undefined ? {} : { presenceTtlMs: overrides.presenceTtlMs }),
    onDeskChanged: () => refreshHome(),
  });
  /** Set once the Slack listeners are registered (they need the engine, which needs the port). */
  let refreshHome: () => void = () => undefined;
  const settings = createRoutingSettings(settingsStore, config.defaultChannel);
  const metrics = createMetrics(store.journal);
  const engine = createEngine({
    store,
    slack: slackPort,
    channels,
    settings,
    settingsDocument: settingsStore,
    language,
    now,
    metrics: metrics.engine,
    logger: logger.child({ component: 'engine' }),
    ...(overrides.worker ? { worker: overrides.worker } : {}),
    ...(overrides.outbox ? { outbox: overrides.outbox } : {}),
    ...(overrides.reminders ? { reminders: overrides.reminders } : {}),
  });
  const health = new Map<Platform, string>();
  const slackHandlers = registerSlackHandlers(slack.app, {
    actions: engine.actions,
    queries: engine.queries,
    platforms: () => new Map(health),
    settings,
    settingsDocument: settingsStore,
    normalizeLanguage: normalizeLanguageTag,
    adminUsers: config.adminUsers,
    notePrefix: config.notePrefix,
    logger: logger.child({ component: 'slack' }),
  });
  refreshHome = slackHandlers.refreshHome;

  /** Where start() and stop() are; /healthz says `starting` (503) until Slack is connected and the channels were started. */
  let phase: 'starting' | 'running' | 'stopping' = 'starting';
  const server = createHttpServer({
    routes: [...sharedRoutes, ...[...channels.values()].flatMap((channel) => channel.routes)],
    intake: engine.intake,
    ...(slack.httpHandler ? { slackHandler: slack.httpHandler } : {}),
    ...(files === undefined ? {} : { files }),
    logger: logger.child({ component: 'http' }),
    metrics: () => metrics.scrape(),
    ...(config.metricsToken === undefined ? {} : { metricsToken: config.metricsToken }),
    health: async () => {
      const storeOk = await store.ping().then(
        () => true,
        () => false,
      );
      const platformsOk = [...health.values()].every((state) => state === 'live');
      const ok = phase === 'running' && storeOk && platformsOk;
      const status = phase === 'running' ? (ok ? 'ok' : 'degraded') : phase;
      return { ok, status, store: { kind: store.kind, ok: storeOk }, slack: { mode: slack.mode }, platforms: Object.fromEntries(health) };
    },
  });

  let stopped = false;
  const retryTimers = new Set<NodeJS.Timeout>();
  /**
   * Starts one channel; `failures` counts its failed starts so far. One failing platform does not stop
   * the others: /healthz reports it, and it is tried again with backoff (5 s, doubling, up to every
   * 5 minutes) with one log line each time that says why (the adapter's message: which URL could not
   * be reached, or which token was rejected).
   */
  async function startChannel(platform: Platform, channel: Channel, failures: number): Promise<void> {
    try {
      await channel.start(engine.intake);
      health.set(platform, 'live');
      if (failures > 0) logger.info({ platform, attempt: failures + 1 }, `${platform} channel started after retry`);
    } catch (error) {
      health.set(platform, 'failed');
      if (stopped) return;
      const delay = Math.min(5 * 60_000, 5000 * 2 ** failures);
      const reason = error instanceof Error ? error.message : String(error);
      logger.error(
        { err: error, platform, attempt: failures + 1, retryInMs: delay },
        `${platform} channel did not start: ${reason}; trying again in ${delay / 1000} s`,
      );
      const timer = setTimeout(() => {
        retryTimers.delete(timer);
        if (!stopped) void startChannel(platform, channel, failures + 1);
      }, delay);
      retryTimers.add(timer);
    }
  }

  return {
    server,
    logger,
    store,
    engine,
    slack,
    channels,
    async start() {
      // The port first: a busy port fails at once, before anything was connected or started. From
      // here on webhooks are journaled (the worker drains them once it runs) and /healthz answers.
      const port = await listen(server, config.port);
      logger.info({ port }, 'listening; connecting to Slack');
      await slack.start();
      if (stopped) return port;
      engine.start();
      for (const [platform, channel] of channels) await startChannel(platform, channel, 0);
      if (stopped) return port;
      phase = 'running';
      logger.info(
        {
          port,
          store: store.kind,
          slackMode: slack.mode,
          live: [...health].filter(([, s]) => s === 'live').map(([p]) => p),
          failed: [...health].filter(([, s]) => s !== 'live').map(([p]) => p),
          off: channelFactories.flatMap((f) => asGroupFactory(f).platforms).filter((p) => !channels.has(p)),
        },
        'threadline started',
      );
      return port;
    },
    /** Releases everything, also after a start() that failed midway (the port, Slack, the store). */
    async stop() {
      if (stopped) return;
      stopped = true;
      const wasRunning = phase === 'running';
      phase = 'stopping';
      for (const timer of retryTimers) clearTimeout(timer);
      // close() answers ERR_SERVER_NOT_RUNNING when start() never bound the port: nothing to release then.
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await Promise.all(
        [...channels.values()].map((channel) =>
          channel.stop().catch((error: unknown) => logger.warn({ err: error }, 'channel stop failed')),
        ),
      );
      // Jobs waiting for Slack's pace are not waited out: their calls are dropped and the jobs stay
      // in the journal for the next start (the worker stops taking jobs first, so none counts as failed).
      const stopping = engine.stop();
      pacer.close();
      await stopping;
      slackHandlers.stop();
      await slack.stop();
      await store.close();
      // After a failed start() the caller reports why; a "stopped" line would only add noise.
      if (wasRunning) logger.info('threadline stopped');
    },
  };
}

/** Listens on `port` (0: any free one) and resolves with the bound port; a busy or forbidden port is a StartupError naming PORT. */
function listen(server: Server, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE')
        reject(
          new StartupError('PORT', `port ${port} is already in use: set PORT to a free port or stop the other process`, { cause: error }),
        );
      else if (error.code === 'EACCES')
        reject(
          new StartupError('PORT', `port ${port} needs privileges this process does not have: set PORT to 1024 or above`, { cause: error }),
        );
      else reject(error);
    };
    server.once('error', fail);
    server.listen(port, () => {
      server.off('error', fail);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
