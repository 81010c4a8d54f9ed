/**
 * The contract every Channel meets, whatever its platform (docs/architecture.md, "Adding a
 * platform"). An adapter's test file calls `channelContract(descriptor)` at top level; the
 * descriptor starts the platform's fake, builds the channel and says how to feed it traffic:
 *
 * - webhook platforms give `webhook`: a `handle` (usually the channel's own route, see `routeOf`; the
 *   Meta three pass the shared /webhooks/meta route) and request builders for each sample;
 * - polling platforms (Telegram without a webhook, X) give `polling.deliver(sample)`, which feeds the
 *   sample to the fake and resolves once the channel has handled it;
 * - a handshake (Meta hub.challenge, X CRC, WeChat echostr) is optional, with or without a verify token.
 *
 * The 22 checks: 1 documented message → exactly the expected events; 2 bad/missing signature → 401,
 * malformed → 400, no events; 3 handshake echo, wrong verify token → 403; 4 unknown kind → 200, no
 * events, one warn naming it, and none for the next of that kind; 5 redelivery → same eventId; 6 own
 * echo → no message; 7 events survive JSON; 8 send → documented request and platform ids; 9 failures
 * → the right ChannelError kind; 10 an inbound image resolves through fetchMedia; 11 no configured
 * secret in any log line; 12 setup checks (`check()`, for `threadline doctor`) pass on a healthy fake
 * and report, not throw, an unreachable API; 13 a message with wrong fields that still names its
 * customer → 200 and an unreadable message (never a throw, a 5xx or an error log), so the thread shows it came;
 * 14 a route with a precheck refuses a missing signature from the headers alone (so the body is never
 * read) and lets every valid delivery through; 15 the webhook it is fed through is a route the server
 * mounts, once: its own, or one its group shares (`sharedRoutes`: the Meta three are fed through the
 * shared /webhooks/meta of their group); 16 the webhook fuzz (tests/fuzz/webhook-fuzz.ts): mutated
 * documented bodies, authenticated and not, against every route the channel declares, through the real
 * HTTP server → only 2xx/4xx (503 only while the store is down), nothing journaled without authentication, every accepted message showable (text, files or marked
 * unreadable), and the server still answers /healthz. A polling descriptor runs it through its fake when it
 * supplies `polling.deliverRaw`, and says in the test name why not otherwise; 17 for a platform that
 * batches, a delivery with one malformed entry still yields every good message of it; 18 for a platform
 * that takes files only as links (descriptor `filesAsLinks: true`), a reply with a file publishes the
 * bytes through `ChannelDeps.files` and sends the platform that link; 19 the channel gives its
 * platform's facts (`Channel.facts`: its name, the setting an admin fixes, its content limits, what
 * unreachable means there, and its reply window when it has one), plain clauses the Slack side words;
 * 20 a customer's reaction (the 'reaction' sample; descriptor `reactions: false` for a platform
 * without them) gives exactly the expected reaction events; 21 for each delivery status the platform
 * reports (descriptor `deliveryStatuses`), a status of a message the channel sent gives delivery
 * events the engine finds that message by: its id as `send` returned it, the same account and contact.
 * 22 for a channel that keeps an expiring token in the adapter state (WeChat), the token expires on
 * the test clock: used until then, renewed after; 23 for a polling channel with a stored position
 * (descriptor `pollingCursor: true`, X), the position stays where it was while `Intake.accept`
 * fails, and the message arrives, once, when it works again.
 */
import { once } from 'node:events';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_JSON_DEPTH, jsonDeeperThan } from '../../src/http/json-depth.ts';
import { createHttpServer } from '../../src/http/server.ts';
import type {
  AdapterState,
  Channel,
  ChannelDeps,
  CheckResult,
  PublicFiles,
  PublishedFile,
  WebhookRequest,
  WebhookResult,
  WebhookRoute,
} from '../../src/channel.ts';
import { renderCustomerText } from '../../src/engine/render.ts';
import { ChannelError, StoreError, type ChannelErrorKind } from '../../src/errors.ts';
import {
  platformName,
  type DeliveryUpdate,
  type InboundEvent,
  type InboundReaction,
  type OutboundMessage,
  type Platform,
} from '../../src/messages.ts';
import { storeAdapterState } from '../../src/adapter-state.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { captureLogger } from '../support/capture-logger.ts';
import {
  allowedStatus,
  baseUrlOf,
  fuzzParameters,
  fuzzRequests,
  mutatedBody,
  send,
  type FuzzAuth,
  type FuzzSample,
} from '../fuzz/webhook-fuzz.ts';

/**
 * The kinds of inbound traffic every descriptor can produce. `unreadable` is a customer message of a
 * kind the adapter handles with a documented field of the wrong type (Telegram: `text` a number),
 * whose customer and message id are still readable.
 */
export type InboundSample = 'message' | 'image' | 'unknownKind' | 'ownEcho' | 'unreadable';

/** A status a platform reports about a message Threadline sent. */
export type DeliveryStatus = DeliveryUpdate['status'];

/**
 * Samples only some platforms have: a customer's reaction to a message, and statuses of a message
 * the channel sent (`delivered`, `read`, `failed`) about `send.expectedMessageIds[0]`.
 */
export type OptionalSample = 'reaction' | DeliveryStatus;

export interface WebhookInbound {
  /** Handles a request as the server would route it. */
  readonly handle: (request: WebhookRequest) => Promise<WebhookResult>;
  /** The route's `precheck`, when it has one (the server calls it with the headers alone, before reading the body). */
  readonly precheck?: WebhookRoute['precheck'];
  /** One builder per sample; a builder returns the same bytes each call, so calling it twice is a redelivery. */
  readonly requests: Readonly<Record<InboundSample, () => WebhookRequest>> &
    Partial<Readonly<Record<OptionalSample, () => WebhookRequest>>> & {
      readonly badSignature: () => WebhookRequest;
      readonly missingSignature: () => WebhookRequest;
      readonly malformed: () => WebhookRequest;
    };
  /**
   * The header carrying the platform's signature (X: `x-twitter-webhooks-signature`): check 11 logs a
   * delivery's headers as the server and pino's request logging name them and asserts its value is redacted.
   */
  readonly signatureHeader?: string;
  /** The body a valid delivery must answer with (WeChat's `success`); unchecked when undefined. */
  readonly expectedBody?: string;
  /**
   * For a platform that batches (descriptor `batches: true`): one signed delivery of several
   * customer messages with one malformed entry among them, and the ids of the messages in it.
   */
  readonly batch?: { readonly request: () => WebhookRequest; readonly expectedMessageIds: readonly string[] };
}

export interface PollingInbound {
  /** Feeds one sample to the platform fake; resolves once the channel accepted or ignored it. Calling it twice redelivers. */
  readonly deliver: (sample: InboundSample | OptionalSample) => Promise<void>;
  /**
   * Feeds any JSON value to the fake as one update (for the fuzz, check 14); resolves once the channel
   * confirmed it. Omitted: the fuzz is skipped for this descriptor, saying so in its name.
   */
  readonly deliverRaw?: (update: unknown) => Promise<void>;
  /**
   * For a channel that keeps its poll position (descriptor `pollingCursor: true`, check 18): reads the
   * position (the channel's cursor in its state, or what the platform was confirmed), and puts a
   * sample on the platform without waiting for the channel to take it.
   */
  readonly cursor?: { readonly read: () => Promise<unknown>; readonly push: (sample: InboundSample) => Promise<void> };
}

/** What the webhook fuzz (check 14) needs for one route: documented bodies to mutate, and how a genuine sender authenticates. */
export interface RouteFuzz {
  /** Documented bodies (fixtures citing their documentation page). For a GET route they are sent form-encoded as the query string. */
  readonly samples: readonly FuzzSample[];
  readonly auth: FuzzAuth;
}

export interface Handshake {
  readonly handle: (request: WebhookRequest) => Promise<WebhookResult>;
  readonly valid: () => WebhookRequest;
  readonly expectedBody: string;
  /** The handshake with a wrong verify token (→ 403); omitted when the scheme has no token (X CRC). */
  readonly wrongToken?: () => WebhookRequest;
}

/** One way a send can fail, arranged on the fake. */
export interface FailureCase {
  readonly name: string;
  readonly arrange: () => void | Promise<void>;
  readonly kind: ChannelErrorKind;
  readonly retryAfterMs?: number;
}

/** What a descriptor's setup returns: a channel wired to fakes, and the samples' expectations. */
export interface ContractHarness {
  readonly channel: Channel;
  /** `factory.secretsOf(config)`. */
  readonly secrets: readonly string[];
  readonly webhook?: WebhookInbound;
  readonly polling?: PollingInbound;
  readonly handshake?: Handshake;
  /**
   * Routes of the channel's group that the channel does not own (ChannelGroup.routes), mounted beside
   * `channel.routes`: the Meta three give the group's /webhooks/meta. Omitted for a platform of its own.
   */
  readonly sharedRoutes?: readonly WebhookRoute[];
  /**
   * The fuzz of every webhook route (check 16), keyed by `${method} ${path}`; required for each route in
   * `channel.routes` and `sharedRoutes`. For polling: the samples `polling.deliverRaw` mutates (auth unused).
   */
  readonly fuzz?: Readonly<Record<string, RouteFuzz>>;
  /** Exactly the events the 'message' sample gives. */
  readonly expectedMessageEvents: readonly InboundEvent[];
  /** Exactly the events the 'reaction' sample gives (unless the descriptor says `reactions: false`). */
  readonly expectedReactionEvents?: readonly InboundReaction[];
  /** The kind name carried by the 'unknownKind' sample. */
  readonly unknownKind: string;
  /** Who the 'unreadable' sample is from and which message it is. */
  readonly expectedUnreadable: { readonly contactId: string; readonly messageId: string };
  readonly send: {
    readonly message: OutboundMessage;
    readonly expectedMessageIds: readonly string[];
    /** Asserts the platform fake saw the documented request for `message`. */
    readonly assertRequest: () => void | Promise<void>;
    /** Must include rate_limited (with retryAfterMs), transient, auth, and window_closed when the channel has a reply window. */
    readonly failures: readonly FailureCase[];
    /** With `filesAsLinks`: asserts the platform fake saw a send of the file at `url` (check 18). */
    readonly assertLinkedFile?: (url: string) => void | Promise<void>;
  };
  /**
   * For a channel that keeps an expiring token in the adapter state (WeChat's access token): how many
   * tokens it fetched from the fake so far, and how long one lives. Required when the descriptor says `expiringToken`.
   */
  readonly token?: { readonly fetches: () => number; readonly ttlMs: number };
  /** The bytes the fake serves for the 'image' sample's media. */
  readonly media: { readonly expectedBytes: Uint8Array };
  /** For `check()`: makes the platform's API unreachable for the next calls (the fake drops the connection). */
  readonly checks: { readonly unreachable: () => void | Promise<void> };
  readonly teardown: () => Promise<void>;
}

export interface ContractDescriptor {
  /** e.g. 'telegram (webhook mode)'. */
  readonly name: string;
  /** Static, because tests are registered before setup runs. */
  readonly inbound: 'webhook' | 'polling';
  readonly handshake: boolean;
  /** Whether the polling harness supplies `polling.deliverRaw` (static, for the fuzz test's name); webhook descriptors are always fuzzed. */
  readonly pollingFuzz?: boolean;
  /** Whether the channel keeps an expiring token in the adapter state; then `token` is required (check 22). */
  readonly expiringToken?: boolean;
  /** Whether one delivery carries several entries or items (Meta); then `webhook.batch` is required (check 17). */
  readonly batches?: boolean;
  /** false for a platform without customer reactions; otherwise the 'reaction' sample and `expectedReactionEvents` are required (check 20). */
  readonly reactions?: false;
  /** The statuses the platform reports about sent messages; a sample for each is required (check 21). Static, for the test names. */
  readonly deliveryStatuses?: readonly DeliveryStatus[];
  /** Whether the platform takes files only as links (Instagram); then `send.assertLinkedFile` is required (check 18). */
  readonly filesAsLinks?: boolean;
  /** Whether the polling channel keeps a position that must not move past unjournaled messages; then `polling.cursor` is required (check 23). */
  readonly pollingCursor?: boolean;
  /** Starts fakes and builds the channel with `deps` (a captured logger, in-memory state, fixed clock, recorded public files). */
  readonly setup: (deps: ChannelDeps) => Promise<ContractHarness>;
}

/** The route a channel serves at `method path`; throws when it has none. */
export function routeOf(channel: Channel, method: WebhookRoute['method'], path: string): WebhookRoute {
  const route = channel.routes.find((r) => r.method === method && r.path === path);
  if (route === undefined) throw new Error(`channel ${channel.platform} serves no ${method} ${path}`);
  return route;
}

/** A WebhookRequest from a body and headers, as the server builds it. */
export function webhookRequest(body: string | Buffer, headers: Record<string, string> = {}, query = ''): WebhookRequest {
  return { headers: new Headers(headers), query: new URLSearchParams(query), rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body) };
}

/**
 * AdapterState on a memory store, as the service builds it on the shared store. With `now`, TTLs
 * and leases run on that clock (a test can let a token expire by moving it).
 */
export function memoryState(now: () => number = Date.now, platform: Platform = 'telegram', owner = 'contract'): AdapterState {
  return storeAdapterState(createMemoryStore({ now }), platform, owner);
}

/** PublicFiles that keeps what was published, with links on an example host. */
export function recordedPublicFiles(): PublicFiles & { readonly published: { readonly file: PublishedFile; readonly url: string }[] } {
  const published: { file: PublishedFile; url: string }[] = [];
  return {
    published,
    async publish(file) {
      const url = `https://threadline.example.com/files/contract-${published.length + 1}`;
      published.push({ file: structuredClone(file), url });
      return url;
    },
  };
}

/** A small PNG (the signature and an IHDR chunk header) for check 18. */
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

const NOW = Date.parse('2024-05-06T07:08:09.000Z');
const WARN = 40;
const ERROR = 50;

/** Registers the contract tests for one channel configuration. */
export function channelContract(descriptor: ContractDescriptor): void {
  describe(`channel contract: ${descriptor.name}`, () => {
    let capture: ReturnType<typeof captureLogger>;
    let harness: ContractHarness;
    let files: ReturnType<typeof recordedPublicFiles>;
    const accepted: InboundEvent[] = [];
    // The test clock: the channel's `now` and the state's TTLs both run on it.
    let clock = NOW;
    /** While set, `Intake.accept` fails as a journal that is down does (check 23); each failed call is counted. */
    const journal = { down: false, refused: 0 };

    beforeEach(async () => {
      capture = captureLogger();
      accepted.length = 0;
      clock = NOW;
      journal.down = false;
      journal.refused = 0;
      files = recordedPublicFiles();
      harness = await descriptor.setup({ logger: capture.logger, state: memoryState(() => clock), now: () => clock, files });
      await harness.channel.start({
        accept: async (events) => {
          if (journal.down) {
            journal.refused += 1;
            throw new StoreError('journal unavailable (contract check 23)');
          }
          accepted.push(...events);
        },
      });
    });

    afterEach(async () => {
      await harness.channel.stop();
      await harness.teardown();
      expectNoSecrets();
    });

    function expectNoSecrets(): void {
      for (const secret of harness.secrets) expect(capture.text(), 'a configured secret reached the log').not.toContain(secret);
    }

    /** The events a sample gives, and the webhook result when there is one. */
    async function receive(sample: InboundSample | OptionalSample): Promise<{ events: readonly InboundEvent[]; result?: WebhookResult }> {
      if (descriptor.inbound === 'webhook') {
        const webhook = required(harness.webhook, 'webhook');
        const request = required(webhook.requests[sample], `'${sample}' sample`);
        const result = await webhook.handle(request());
        return { events: result.status === 200 ? result.events : [], result };
      }
      const before = accepted.length;
      await required(harness.polling, 'polling').deliver(sample);
      return { events: accepted.slice(before) };
    }

    it('1. turns a documented message into exactly the expected events', async () => {
      const { events, result } = await receive('message');
      if (result !== undefined) {
        expect(result.status).toBe(200);
        const body = harness.webhook?.expectedBody;
        if (body !== undefined && result.status === 200) expect(result.body).toBe(body);
      }
      expect(events).toEqual(harness.expectedMessageEvents);
    });

    if (descriptor.inbound === 'webhook') {
      it('2. answers 401 with no events when the signature is wrong or missing', async () => {
        const webhook = required(harness.webhook, 'webhook');
        for (const request of [webhook.requests.badSignature(), webhook.requests.missingSignature()]) {
          const result = await webhook.handle(request);
          expect(result.status).toBe(401);
          expect(result).not.toHaveProperty('events');
        }
      });

      it('14. a precheck, if any, refuses a missing signature from the headers alone and passes every valid delivery', () => {
        const webhook = required(harness.webhook, 'webhook');
        const precheck = webhook.precheck;
        if (precheck === undefined) return;
        // Only headers go in: a precheck cannot read the body, so a refused request's body is never read.
        expect(precheck(webhook.requests.missingSignature().headers)).toMatchObject({ status: 401, reason: expect.any(String) });
        const bad = precheck(webhook.requests.badSignature().headers);
        if (bad !== undefined) expect(bad.status).toBe(401);
        for (const sample of ['message', 'image', 'unknownKind', 'ownEcho', 'malformed'] as const) {
          expect(precheck(webhook.requests[sample]().headers), sample).toBeUndefined();
        }
      });

      it('2. answers 400 with no events when the body is malformed', async () => {
        const webhook = required(harness.webhook, 'webhook');
        const result = await webhook.handle(webhook.requests.malformed());
        expect(result.status).toBe(400);
        expect(result).not.toHaveProperty('events');
      });
    }

    if (descriptor.handshake) {
      it('3. echoes the handshake, and answers 403 to a wrong verify token', async () => {
        const handshake = required(harness.handshake, 'handshake');
        const result = await handshake.handle(handshake.valid());
        expect(result).toMatchObject({ status: 200, events: [], body: handshake.expectedBody });
        if (handshake.wrongToken !== undefined) expect((await handshake.handle(handshake.wrongToken())).status).toBe(403);
      });
    }

    it('4. ignores an unknown event kind with one warn entry naming it', async () => {
      const before = capture.entries().length;
      const { events, result } = await receive('unknownKind');
      if (result !== undefined) expect(result.status).toBe(200);
      expect(events).toEqual([]);
      const warns = () =>
        capture
          .entries()
          .slice(before)
          .filter((entry) => entry.level === WARN);
      expect(warns()).toHaveLength(1);
      expect(JSON.stringify(warns()[0])).toContain(harness.unknownKind);
      // One line tells the admin; one per update would bury the log.
      await receive('unknownKind');
      expect(warns(), 'a second update of the same unknown kind warned again').toHaveLength(1);
    });

    it('5. gives the same eventId when the same delivery comes twice', async () => {
      const first = await receive('message');
      const second = await receive('message');
      const ids = (events: readonly InboundEvent[]) => events.map((e) => e.eventId);
      expect(ids(first.events).length).toBeGreaterThan(0);
      expect(ids(first.events).every((id) => id.length > 0)).toBe(true);
      expect(ids(second.events)).toEqual(ids(first.events));
    });

    it("6. gives no message event for the bot's own echo", async () => {
      const { events } = await receive('ownEcho');
      expect(events.filter((e) => e.kind === 'message')).toEqual([]);
    });

    it('7. produces events that survive a JSON round trip unchanged', async () => {
      const events = [...(await receive('message')).events, ...(await receive('image')).events];
      expect(events.length).toBeGreaterThan(1);
      for (const event of events) expect(JSON.parse(JSON.stringify(event))).toEqual(event);
    });

    it('8. sends with the documented request and returns the platform message ids', async () => {
      const delivery = await harness.channel.send(harness.send.message);
      expect(delivery.messageIds).toEqual(harness.send.expectedMessageIds);
      expect(new Date(delivery.sentAt).toISOString()).toBe(delivery.sentAt);
      await harness.send.assertRequest();
    });

    it('9. covers the failure kinds the engine acts on', () => {
      const kinds = harness.send.failures.map((f) => f.kind);
      expect(kinds).toEqual(expect.arrayContaining(['rate_limited', 'transient', 'auth']));
      expect(harness.send.failures.find((f) => f.kind === 'rate_limited')?.retryAfterMs).toBeGreaterThan(0);
      if (harness.channel.limits.replyWindowHours !== undefined) expect(kinds).toContain('window_closed');
    });

    it('9. maps each send failure to the right ChannelError kind', async () => {
      for (const failure of harness.send.failures) {
        await failure.arrange();
        const error = await harness.channel.send(harness.send.message).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, failure.name).toBeInstanceOf(ChannelError);
        const channelError = error as ChannelError;
        expect({ case: failure.name, kind: channelError.kind }).toEqual({ case: failure.name, kind: failure.kind });
        if (failure.retryAfterMs !== undefined) expect(channelError.detail.retryAfterMs, failure.name).toBe(failure.retryAfterMs);
        for (const secret of harness.secrets) expect(channelError.message, failure.name).not.toContain(secret);
      }
    });

    it("10. resolves an inbound image's MediaRef through fetchMedia", async () => {
      const { events } = await receive('image');
      const media = events.flatMap((e) => (e.kind === 'message' ? e.attachments : [])).find((a) => 'media' in a);
      if (media === undefined || !('media' in media)) throw new Error('the image sample gave no attachment with media');
      const file = await harness.channel.fetchMedia(media.media);
      expect(Buffer.from(file.data).equals(Buffer.from(harness.media.expectedBytes))).toBe(true);
    });

    it('11. never writes a configured secret to the log', async () => {
      for (const sample of ['message', 'image', 'unknownKind', 'ownEcho', 'unreadable'] as const) await receive(sample);
      for (const failure of harness.send.failures) {
        await failure.arrange();
        // Logged as the engine logs a failed send: pino serializes the message, the stack and the cause chain.
        await harness.channel.send(harness.send.message).catch((err: unknown) => capture.logger.error({ err }, 'send failed'));
      }
      expect(capture.lines.length).toBeGreaterThan(0);
      expectNoSecrets();
      const signed = harness.webhook?.signatureHeader;
      if (signed !== undefined) {
        const headers = Object.fromEntries(required(harness.webhook, 'webhook').requests.message().headers);
        const signature = headers[signed.toLowerCase()];
        expect(signature, `the message sample carries no ${signed}`).toEqual(expect.any(String));
        capture.logger.info({ req: { headers } }, 'request received');
        capture.logger.info({ headers }, 'request received');
        expect(capture.text(), `${signed} reached the log`).not.toContain(String(signature));
      }
    });

    /** Each result is one line with a subject and a detail, and carries no configured secret. */
    function expectReadable(results: readonly CheckResult[]): void {
      expect(results.length).toBeGreaterThan(0);
      for (const result of results) {
        expect(result.subject.trim(), JSON.stringify(result)).not.toBe('');
        expect(result.detail.trim(), JSON.stringify(result)).not.toBe('');
        expect(`${result.subject} ${result.detail}`, JSON.stringify(result)).not.toMatch(/\n/);
        for (const secret of harness.secrets)
          expect(`${result.subject} ${result.detail}`, 'a configured secret in a check result').not.toContain(secret);
      }
    }

    it('12. implements check(), which passes against the healthy platform', async () => {
      expect(harness.channel.check, 'every adapter implements check() for threadline doctor').toBeTypeOf('function');
      const results = (await harness.channel.check?.()) ?? [];
      expectReadable(results);
      expect(results.filter((result) => result.status === 'fail')).toEqual([]);
    });

    it('12. check() reports an unreachable platform API as a failed check instead of throwing', async () => {
      await harness.checks.unreachable();
      const results = (await harness.channel.check?.()) ?? [];
      expectReadable(results);
      expect(results.some((result) => result.status === 'fail')).toBe(true);
    });

    if (descriptor.expiringToken === true) {
      it('22. a token with a TTL expires on the test clock: the channel keeps using it until then, and fetches a new one after', async () => {
        const token = required(harness.token, 'token');
        const reply = (n: number) => ({ ...harness.send.message, idempotencyKey: `${harness.send.message.idempotencyKey}:ttl${n}` });
        await harness.channel.send(reply(1));
        const fetched = token.fetches();
        expect(fetched, 'the first send fetched no token').toBeGreaterThan(0);
        clock += token.ttlMs / 2;
        await harness.channel.send(reply(2));
        expect(token.fetches(), 'a token still valid on the test clock was fetched again').toBe(fetched);
        clock += token.ttlMs;
        await harness.channel.send(reply(3));
        expect(token.fetches(), 'a token expired on the test clock was used again').toBe(fetched + 1);
      });
    }

    if (descriptor.batches === true) {
      it('17. journals every good message of a batched delivery even when one entry of it is malformed', async () => {
        const batch = required(required(harness.webhook, 'webhook').batch, 'batch');
        const result = await required(harness.webhook, 'webhook').handle(batch.request());
        expect(result.status).toBe(200);
        const messages = result.status === 200 ? result.events.filter((event) => event.kind === 'message') : [];
        expect(messages.map((event) => event.messageId).sort()).toEqual([...batch.expectedMessageIds].sort());
        expect(capture.entries().filter((entry) => entry.level >= ERROR)).toEqual([]);
      });
    }

    if (descriptor.filesAsLinks === true) {
      it('18. sends a file as a link it published, with the bytes the agent attached', async () => {
        const { text: _text, ...message } = harness.send.message;
        const file = { kind: 'image' as const, fileName: 'return-label.png', mimeType: 'image/png', data: PNG };
        const delivery = await harness.channel.send({ ...message, idempotencyKey: 'contract-file-1', files: [file] });
        expect(delivery.messageIds).toHaveLength(1);
        expect(files.published).toHaveLength(1);
        const [published] = files.published;
        expect(Buffer.from(published?.file.data ?? []).equals(Buffer.from(PNG))).toBe(true);
        expect(published?.file).toMatchObject({ fileName: 'return-label.png', mimeType: 'image/png' });
        await required(harness.send.assertLinkedFile, 'send.assertLinkedFile')(published?.url ?? '');
      });
    }

    it("19. gives its platform's facts for the words agents read when a reply fails", () => {
      const { facts, platform, limits } = harness.channel;
      expect(facts.displayName).toBe(platformName(platform));
      // The setting an admin fixes, named as in .env.example.
      expect(facts.credentials).toMatch(/\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/);
      if (limits.replyWindowHours !== undefined) expect(facts.replyWindow, 'a reply window without words for it').toBeDefined();
      const clauses = [
        facts.credentials,
        facts.unreachable,
        facts.contentLimits,
        ...(facts.replyWindow === undefined ? [] : [facts.replyWindow]),
      ];
      for (const clause of clauses) {
        expect(clause.trim(), JSON.stringify(facts)).not.toBe('');
        // A clause the notice builds a sentence around: one line, no final period, no Slack markup.
        expect(clause, clause).not.toMatch(/[\n<>*`]|\.$/);
      }
    });

    if (descriptor.reactions !== false) {
      it("20. turns a customer's reaction into exactly the reaction events the engine applies", async () => {
        const { events, result } = await receive('reaction');
        if (result !== undefined) expect(result.status).toBe(200);
        const expected = required(harness.expectedReactionEvents, 'expectedReactionEvents');
        expect(expected.length).toBeGreaterThan(0);
        expect(events).toEqual(expected);
        for (const event of events) {
          if (event.kind !== 'reaction') throw new Error(`the reaction sample gave a ${event.kind} event`);
          expect(event.platform).toBe(harness.channel.platform);
          // The engine shows it on the mirrored message: a platform message id, and a Unicode emoji.
          expect(event.messageId.length).toBeGreaterThan(0);
          expect(event.emoji.length).toBeGreaterThan(0);
          expect(JSON.parse(JSON.stringify(event))).toEqual(event);
        }
        // A redelivery gives the same eventIds, so the engine applies it once.
        expect((await receive('reaction')).events.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
      });
    }

    for (const status of descriptor.deliveryStatuses ?? []) {
      it(`21. turns a '${status}' status of a message it sent into delivery events the engine finds that message by`, async () => {
        const sent = await harness.channel.send(harness.send.message);
        const { events, result } = await receive(status);
        if (result !== undefined) expect(result.status).toBe(200);
        expect(events.length, `the '${status}' sample gave no event`).toBeGreaterThan(0);
        const { account, contactId } = harness.send.message;
        for (const event of events) {
          if (event.kind !== 'delivery') throw new Error(`the '${status}' sample gave a ${event.kind} event`);
          // The engine finds the agent's message by (platform, account, contact) and the id send returned.
          expect(event).toMatchObject({ platform: harness.channel.platform, account, contact: { id: contactId }, status });
          expect(sent.messageIds).toContain(event.messageId);
          expect(event.eventId.length).toBeGreaterThan(0);
          if (status === 'failed') {
            expect(event.failure, 'a failed status without its reason').toMatchObject({
              code: expect.any(String),
              title: expect.any(String),
            });
            if (event.failure?.kind !== undefined)
              expect(['transient', 'rate_limited', 'window_closed', 'unreachable', 'rejected', 'auth']).toContain(event.failure.kind);
          } else expect(event).not.toHaveProperty('failure');
          expect(JSON.parse(JSON.stringify(event))).toEqual(event);
        }
        expect((await receive(status)).events.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
      });
    }

    if (descriptor.pollingCursor === true) {
      it('23. keeps its poll position while Intake.accept fails, and delivers the message once it works again', async () => {
        const cursor = required(required(harness.polling, 'polling').cursor, 'polling.cursor');
        await required(harness.polling, 'polling').deliver('message');
        const before = await cursor.read();
        const acceptedBefore = accepted.length;
        journal.down = true;
        await cursor.push('message');
        await until(() => journal.refused >= 2, 'two refused accept calls');
        expect(await cursor.read(), 'the position moved past a message that was never journaled').toEqual(before);
        expect(accepted.length).toBe(acceptedBefore);
        journal.down = false;
        await until(() => accepted.length > acceptedBefore, 'the message accepted once the journal is back');
        await until(async () => JSON.stringify(await cursor.read()) !== JSON.stringify(before), 'the position moving on');
        const ids = accepted.slice(acceptedBefore).map((event) => event.eventId);
        expect(ids.length).toBeGreaterThan(0);
        expect(new Set(ids).size, 'a message was accepted twice after the journal came back').toBe(ids.length);
      });
    }

    it('15. is fed through a route the server mounts, and no route twice', () => {
      const mounted = [...harness.channel.routes, ...(harness.sharedRoutes ?? [])];
      const keys = mounted.map((route) => `${route.method} ${route.path}`);
      expect(new Set(keys).size, keys.join(', ')).toBe(keys.length);
      for (const route of mounted) expect(route.path).toMatch(/^\/webhooks\/[a-z0-9-]+$/);
      const handlers = mounted.map((route) => route.handle);
      if (descriptor.inbound === 'webhook')
        expect(handlers, 'the webhook fed to the suite is not a mounted route').toContain(harness.webhook?.handle);
      if (descriptor.handshake)
        expect(handlers, 'the handshake fed to the suite is not a mounted route').toContain(harness.handshake?.handle);
    });

    it('13. turns a message with wrong fields that still names its customer into an unreadable message, never a throw or 5xx', async () => {
      const { events, result } = await receive('unreadable');
      if (result !== undefined) expect(result.status).toBe(200);
      const messages = events.filter((e) => e.kind === 'message');
      expect(messages).toHaveLength(1);
      const [message] = messages;
      if (message?.kind !== 'message') throw new Error('no message event');
      expect(message).toMatchObject({
        contact: { id: harness.expectedUnreadable.contactId },
        messageId: harness.expectedUnreadable.messageId,
        attachments: [],
      });
      expect(message.unreadable?.kind).toEqual(expect.any(String));
      expect(message.unreadable?.reason.length).toBeGreaterThan(0);
      expect(message).not.toHaveProperty('text');
      expect(JSON.parse(JSON.stringify(message))).toEqual(message);
      expect(capture.entries().filter((entry) => entry.level >= ERROR)).toEqual([]);
    });

    if (descriptor.inbound === 'webhook') {
      it('16. fuzz: mutated bodies on every webhook route, through the HTTP server, get 2xx/4xx (503 only while the store is down), journal nothing unauthenticated, and every accepted message can be shown', async () => {
        const fuzz = required(harness.fuzz, 'fuzz');
        // Its own routes and those its group shares (the Meta three: /webhooks/meta).
        const routes = [...new Set([...harness.channel.routes, ...(harness.sharedRoutes ?? [])])];
        expect(routes.length, 'a webhook descriptor whose channel declares no route').toBeGreaterThan(0);
        let storeDown = false;
        const journaled: InboundEvent[] = [];
        const intake = {
          accept: async (events: readonly InboundEvent[]) => {
            if (storeDown) throw new StoreError('store unreachable (fuzz)');
            journaled.push(...structuredClone(events));
          },
        };
        const server = createHttpServer({ routes, intake, health: async () => ({ ok: true }), logger: capture.logger });
        server.listen(0, '127.0.0.1');
        await once(server, 'listening');
        const baseUrl = baseUrlOf(server);
        try {
          for (const route of routes) {
            const target = fuzz[`${route.method} ${route.path}`];
            if (target === undefined) throw new Error(`the descriptor supplies no fuzz samples for ${route.method} ${route.path}`);
            const bodies = fc.oneof(...target.samples.map((sample) => mutatedBody(sample)));
            const down = fc.oneof({ arbitrary: fc.constant(false), weight: 9 }, { arbitrary: fc.constant(true), weight: 1 });
            await fc.assert(
              fc.asyncProperty(fuzzRequests(bodies, target.auth), down, async (request, isDown) => {
                storeDown = isDown;
                const before = journaled.length;
                // A scheme that signs in the URL (WeChat) gets its "headers" as query parameters.
                const { 'content-type': contentType, ...signed } = request.headers;
                const signedQuery = target.auth.inQuery === true ? new URLSearchParams(signed).toString() : '';
                const query = [route.method === 'GET' ? Buffer.from(request.body).toString('utf8') : '', signedQuery]
                  .filter(Boolean)
                  .join('&');
                const path = query === '' ? route.path : `${route.path}?${query}`;
                const { status } = await send(baseUrl, route.method, path, {
                  ...request,
                  headers:
                    target.auth.inQuery === true ? (contentType === undefined ? {} : { 'content-type': contentType }) : request.headers,
                  body: route.method === 'GET' ? new Uint8Array() : request.body,
                });
                const what = `${route.method} ${route.path} ${request.sample} (${request.mutation}; auth: ${request.auth}) answered ${status}`;
                expect(allowedStatus(status, isDown), what).toBe(true);
                if (!request.authenticated) {
                  expect(status >= 400 && status < 500, what).toBe(true);
                  expect(journaled.length, `${what}: journaled without authentication`).toBe(before);
                  return;
                }
                if (status !== 200 || isDown) return;
                for (const event of journaled.slice(before)) expectShowable(event, what);
              }),
              fuzzParameters(250),
            );
          }
          storeDown = false;
          expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
        } finally {
          server.closeAllConnections();
          server.close();
        }
      });
    } else if (descriptor.pollingFuzz === true) {
      it('16. fuzz: mutated updates fed through the polling fake are each confirmed (the channel never stalls), and every accepted message can be shown', async () => {
        const deliverRaw = required(required(harness.polling, 'polling').deliverRaw, 'polling.deliverRaw');
        const samples = Object.values(required(harness.fuzz, 'fuzz'))
          .flatMap((target) => target.samples)
          .filter((sample) => sample.encoding === 'json');
        expect(samples.length).toBeGreaterThan(0);
        const bodies = fc.oneof(...samples.map((sample) => mutatedBody(sample, { maxHugeLength: 20_000 })));
        await fc.assert(
          fc.asyncProperty(bodies, async (request) => {
            let update: unknown;
            try {
              update = JSON.parse(Buffer.from(request.body).toString('utf8'));
            } catch {
              return; // The Bot API answers getUpdates with JSON: only what still parses can come this way.
            }
            if (typeof update !== 'object' || update === null || Array.isArray(update)) return;
            // Bot API answers are Telegram's own JSON and never nest that deep (the webhook fuzz covers deep bodies); the fake could not serialize some.
            if (jsonDeeperThan(request.body, DEFAULT_MAX_JSON_DEPTH)) return;
            const before = accepted.length;
            await deliverRaw(update);
            for (const event of accepted.slice(before)) expectShowable(event, `${request.sample} (${request.mutation})`);
          }),
          fuzzParameters(60),
        );
      });
    } else {
      it.skip('16. fuzz: skipped, this polling descriptor supplies no polling.deliverRaw to feed mutated updates through its fake', () => {});
    }
  });
}

/** An accepted event survives the journal, and a customer message has something Slack can show: text, files, or the unreadable notice. */
function expectShowable(event: InboundEvent, what: string): void {
  expect(JSON.parse(JSON.stringify(event)), `${what}: the event does not survive the journal`).toEqual(event);
  if (event.kind !== 'message') return;
  // What the thread would show: the same rendering the engine posts (a story mention is its link
  // line), or the note that the customer unsent a message.
  const showable =
    event.unreadable !== undefined
      ? event.unreadable.reason.length > 0
      : event.unsent === true ||
        renderCustomerText(event).trim().length > 0 ||
        event.attachments.some((attachment) => 'media' in attachment);
  expect(showable, `${what}: a message with nothing to show: ${JSON.stringify(event).slice(0, 300)}`).toBe(true);
}

/** Waits (polling every 10 ms, at most 10 s) until `check` holds. */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the contract descriptor declares ${what} traffic but its harness provides no ${what}`);
  return value;
}
