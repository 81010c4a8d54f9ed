/** Builds an X channel wired to the fake X API, a captured logger and in-memory state. */
import { createXChannel, xFactory, type XChannelOptions } from '../../../adapters/x/index.ts';
import { CURSOR_KEY } from '../../../adapters/x/poller.ts';
import type { AdapterState, Channel, Intake } from '../../../src/channel.ts';
import type { InboundEvent } from '../../../src/messages.ts';
import { memoryState } from '../../contract/channel-contract.ts';
import { ACCESS_SECRET, ACCESS_TOKEN, APP_KEY, APP_SECRET, startFakeXApi, type FakeXApi } from '../../fakes/x-api.ts';
import { captureLogger } from '../../support/capture-logger.ts';

export const NOW = Date.parse('2024-05-06T07:08:09.000Z');

/** The four credentials and the fake's root as X_* settings. */
export function xEnv(x: FakeXApi, more: Record<string, string> = {}): Record<string, string> {
  return {
    X_APP_KEY: APP_KEY,
    X_APP_SECRET: APP_SECRET,
    X_ACCESS_TOKEN: ACCESS_TOKEN,
    X_ACCESS_SECRET: ACCESS_SECRET,
    X_API_ROOT: x.apiRoot,
    ...more,
  };
}

export interface XTestSetup {
  readonly x: FakeXApi;
  readonly channel: Channel;
  readonly state: AdapterState;
  readonly capture: ReturnType<typeof captureLogger>;
  readonly secrets: readonly string[];
  readonly accepted: InboundEvent[];
  readonly intake: Intake;
  readonly close: () => Promise<void>;
}

/** Starts a fake (unless given) and builds (does not start) a channel polling every 10 ms. */
export async function setupX(
  env: Record<string, string> = {},
  options: XChannelOptions = { pollMs: 10, backoffMs: () => 5 },
  shared: { x?: FakeXApi; state?: AdapterState } = {},
): Promise<XTestSetup> {
  const x = shared.x ?? (await startFakeXApi());
  const config = xFactory.readConfig(xEnv(x, env));
  if (config === undefined) throw new Error('no X config');
  const capture = captureLogger();
  const state = shared.state ?? memoryState(() => NOW, 'x');
  const channel = createXChannel(config, { logger: capture.logger, state, now: () => NOW }, options);
  const accepted: InboundEvent[] = [];
  return {
    x,
    channel,
    state,
    capture,
    secrets: xFactory.secretsOf(config),
    accepted,
    intake: { accept: async (events) => void accepted.push(...events) },
    close: async () => {
      await channel.stop();
      if (shared.x === undefined) await x.close();
    },
  };
}

/** Resolves once the channel's cursor is at or past `eventId` (it journaled or skipped everything up to it). */
export async function waitForCursor(state: AdapterState, eventId: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  for (;;) {
    const cursor = await state.get<string>(CURSOR_KEY);
    if (cursor !== undefined && BigInt(cursor) >= BigInt(eventId)) return;
    if (Date.now() - start > timeoutMs) throw new Error(`X cursor ${String(cursor)} did not reach ${eventId}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Resolves once the first poll set the cursor (history before it is not imported). */
export async function waitForFirstPoll(state: AdapterState, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while ((await state.get<string>(CURSOR_KEY)) === undefined) {
    if (Date.now() - start > timeoutMs) throw new Error('the X channel never polled');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
