/**
 * The platform seam. A Channel translates one platform's traffic to and from Threadline's
 * normalized messages. It knows nothing of Slack, routing or storage of conversations.
 */
import type { Logger } from 'pino';
import type { Delivery, InboundEvent, MediaRef, OutboundMessage, Platform } from './messages.ts';

export type { Logger } from 'pino';

/** Limits the engine respects when building messages. */
export interface ChannelLimits {
  /** Longest text the platform accepts in one message, in characters. */
  readonly maxTextLength: number;
  /** Largest file the platform accepts from a bot, in bytes. */
  readonly maxFileBytes: number;
  /** Hours after the customer's last message during which free-form replies are allowed; undefined if none. */
  readonly replyWindowHours?: number;
}

/**
 * What agents and admins are told about a platform, in the platform's own terms: data the adapter
 * gives, from which src/slack/failure-text.ts builds the thread notices. Each text is a clause
 * without a final period, free of Slack markup.
 */
export interface PlatformFacts {
  /** The platform's name as customers and agents know it ("WhatsApp"): `platformName(platform)`. */
  readonly displayName: string;
  /** The setting(s) an admin fixes when the platform rejects Threadline's credentials ("WHATSAPP_TOKEN"). */
  readonly credentials: string;
  /** Why the platform refuses to reach this customer (kind `unreachable`), e.g. "the customer blocked the bot…". */
  readonly unreachable: string;
  /**
   * What the platform's reply window allows and what reaches the customer after it (kind
   * `window_closed`); undefined when the platform has no reply window.
   */
  readonly replyWindow?: string;
  /** The content limits worth naming when content is refused (kind `rejected`): sizes and types of files. */
  readonly contentLimits: string;
}

/**
 * Plain, true-everywhere facts for a platform whose adapter is not running (a conversation of a
 * platform since switched off): nothing specific, but never wrong.
 */
export function genericFacts(displayName: string): PlatformFacts {
  return {
    displayName,
    credentials: `the ${displayName} token`,
    unreachable: `${displayName} refuses messages to this customer`,
    contentLimits: `see ${displayName}'s limits for files`,
  };
}

/** A downloaded media file. */
export interface MediaFile {
  readonly data: Uint8Array;
  readonly mimeType?: string;
  readonly fileName?: string;
}

/** One platform connection. */
export interface Channel {
  readonly platform: Platform;
  readonly limits: ChannelLimits;
  /** What agents and admins are told about this platform when a reply fails (its name, settings, limits). */
  readonly facts: PlatformFacts;
  /** Webhook routes this channel serves on the shared HTTP server; empty if it only polls. */
  readonly routes: readonly WebhookRoute[];
  /** Start intake that is not webhook-driven (long polling) or register the webhook. Resolves once running. */
  start(intake: Intake): Promise<void>;
  /** Stop intake and release resources. Safe to call twice. */
  stop(): Promise<void>;
  /** Deliver one message to the customer. Throws ChannelError on failure. */
  send(message: OutboundMessage): Promise<Delivery>;
  /** Download the media an inbound Attachment refers to. Throws ChannelError on failure. */
  fetchMedia(ref: MediaRef): Promise<MediaFile>;
  /**
   * Setup checks for `threadline doctor`: the token, the webhook registration, whatever this platform
   * can get wrong. Read-only: changes nothing on the platform or in the state, and works before start().
   * Never throws: an unreachable or refusing platform is a `fail` result saying what to do.
   * Optional so that test doubles need not implement it; the contract suite requires it of every adapter.
   */
  check?(): Promise<readonly CheckResult[]>;
}

/** One line of `threadline doctor`. */
export interface CheckResult {
  /** `ok`: works. `warn`: works, but look at it. `fail`: will not work. */
  readonly status: 'ok' | 'warn' | 'fail';
  /** What was checked, as the operator knows it: a variable (`TELEGRAM_BOT_TOKEN`), `telegram webhook`. */
  readonly subject: string;
  /** What was found; for `warn` and `fail`, also what to do about it. One line. */
  readonly detail: string;
}

/** A route on the shared HTTP server, e.g. `POST /webhooks/telegram`. */
export interface WebhookRoute {
  readonly method: 'GET' | 'POST';
  readonly path: `/webhooks/${string}`;
  /**
   * Optional check of what arrives before the body: a secret header (Telegram), the presence of a
   * signature header. A rejection is answered at once and the body is never read, so an
   * unauthenticated sender cannot make the server read (and hold) megabytes. `undefined` lets the
   * request through to `handle`, which still verifies everything. Synchronous and cheap; never throws.
   */
  precheck?(headers: Headers): WebhookRejection | undefined;
  /** Verify and parse one request. Bad input is a 4xx result; this never throws for it. */
  handle(request: WebhookRequest): Promise<WebhookResult>;
}

/** What a webhook route sees of a request. Signatures are computed over the exact raw bytes. */
export interface WebhookRequest {
  readonly headers: Headers;
  readonly query: URLSearchParams;
  readonly rawBody: Buffer;
}

/**
 * The outcome of one webhook request. The server journals `events` durably before it sends the 200.
 * Handshakes (Meta `hub.challenge`, X CRC, WeChat `echostr`) are a 200 with a `body` and no events.
 */
export type WebhookResult =
  | { readonly status: 200; readonly events: readonly InboundEvent[]; readonly body?: string; readonly contentType?: string }
  | WebhookRejection;

/** A refused webhook request: answered with `status` and the short `reason` as its body; nothing is journaled. */
export interface WebhookRejection {
  readonly status: 400 | 401 | 403;
  readonly reason: string;
}

/** Where channels put events. Resolves once the events are journaled; only then confirm to the platform. */
export interface Intake {
  accept(events: readonly InboundEvent[]): Promise<void>;
}

/**
 * Small persistent state an adapter may keep: tokens, poll cursors, profile caches. Not
 * conversations. Shared by every instance on the store, and namespaced by platform.
 */
export interface AdapterState {
  get<T>(key: string): Promise<T | undefined>;
  /** With ttlMs the value expires after that many milliseconds (on the `now` clock of ChannelDeps in tests). */
  set<T>(key: string, value: T, ttlMs?: number): Promise<void>;
  /** Creates the key only if it is absent or expired; true for exactly one of any number of concurrent callers, on any instance. */
  setIfAbsent<T>(key: string, value: T, ttlMs?: number): Promise<boolean>;
  /** true if the key existed. */
  delete(key: string): Promise<boolean>;
  /**
   * Takes or renews the named lease for this instance for ttlMs: true while this instance holds it,
   * false while another does. One X poller, one WeChat token refresher, across instances. Renew
   * well before ttlMs passes; a holder that dies loses the lease when it expires.
   */
  lease(name: string, ttlMs: number): Promise<boolean>;
  /** Gives the named lease up if this instance holds it (on stop), so another can take it at once. */
  releaseLease(name: string): Promise<void>;
}

/** An outgoing file to serve from a public link. */
export interface PublishedFile {
  readonly data: Uint8Array;
  readonly fileName: string;
  readonly mimeType?: string;
}

/**
 * Serves outgoing files at links the platform can fetch, for platforms that take a file only as a
 * URL (Instagram). `publish` keeps the bytes in the shared store under an unguessable id (any
 * instance behind a load balancer can serve them) and resolves with the absolute URL under
 * PUBLIC_URL (`<PUBLIC_URL>/files/<id>`), which answers 404 once `ttlMs` (at most, and by default,
 * one hour) has passed. Throws StoreError when the store cannot keep the file.
 */
export interface PublicFiles {
  publish(file: PublishedFile, ttlMs?: number): Promise<string>;
}

/** What a channel receives from the composition root. */
export interface ChannelDeps {
  /** pino child bound to `{ platform }`. */
  readonly logger: Logger;
  readonly state: AdapterState;
  readonly now: () => number;
  /**
   * Public links for outgoing files; present only when PUBLIC_URL is set. A channel whose platform
   * takes files only as links refuses files without it (the agent is told in the thread).
   */
  readonly files?: PublicFiles;
}

/** How the registry builds a channel. */
export interface ChannelFactory<C = unknown> {
  readonly platform: Platform;
  /** undefined if none of this platform's variables is set; throws ConfigError naming the bad one. */
  readConfig(env: Readonly<Record<string, string | undefined>>): C | undefined;
  /** Values of the config that must never reach logs (tokens, secrets). */
  secretsOf(config: C): readonly string[];
  create(config: C, deps: ChannelDeps): Channel;
}

/**
 * What a group entry builds: the channels its settings turn on, and the routes they share. A shared
 * route belongs to no single channel: Meta sends WhatsApp, Instagram and Messenger traffic to one
 * webhook (`/webhooks/meta`), which hands each entry to the channel it is for. A channel's own routes
 * stay on `Channel.routes`; the server mounts both, and still refuses two owners of one route.
 */
export interface ChannelGroup {
  readonly channels: readonly Channel[];
  readonly routes: readonly WebhookRoute[];
}

/** How the registry builds platforms that share a webhook: one configuration, several channels. */
export interface ChannelGroupFactory<C = unknown> {
  /** Every platform this entry can build, whether or not its settings turn it on. */
  readonly platforms: readonly Platform[];
  /** undefined if none of the group's variables is set; throws ConfigError naming the bad one. */
  readConfig(env: Readonly<Record<string, string | undefined>>): C | undefined;
  secretsOf(config: C): readonly string[];
  /** The platforms this config turns on (each product starts when its token is set). */
  enabled(config: C): readonly Platform[];
  /** Builds the channels the config turns on; `deps(platform)` gives each its own logger and state. */
  create(config: C, deps: (platform: Platform) => ChannelDeps): ChannelGroup;
}

/** One line of the registry: a platform of its own, or a group sharing a webhook. */
export type RegistryEntry = ChannelFactory | ChannelGroupFactory;

/** Any registry entry as a group factory: a single platform is a group of one with no shared routes. */
export function asGroupFactory(entry: RegistryEntry): ChannelGroupFactory {
  if ('platforms' in entry) return entry;
  return {
    platforms: [entry.platform],
    readConfig: (env) => entry.readConfig(env),
    secretsOf: (config) => entry.secretsOf(config),
    enabled: () => [entry.platform],
    create: (config, deps) => ({ channels: [entry.create(config, deps(entry.platform))], routes: [] }),
  };
}
