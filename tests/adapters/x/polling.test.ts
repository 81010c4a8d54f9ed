import { afterEach, describe, expect, it } from 'vitest';
import { CURSOR_KEY } from '../../../adapters/x/poller.ts';
import { storeAdapterState } from '../../../src/adapter-state.ts';
import { createMemoryStore } from '../../../src/store/memory-store.ts';
import { StoreError } from '../../../src/errors.ts';
import type { InboundEvent } from '../../../src/messages.ts';
import { startFakeXApi } from '../../fakes/x-api.ts';
import { customer, groupMessage, participantsJoin, tooManyRequests, unauthorized } from '../../fixtures/x/dm-events.ts';
import { NOW, setupX, waitForCursor, waitForFirstPoll, type XTestSetup } from './harness.ts';

const texts = (events: readonly InboundEvent[]) => events.map((e) => (e.kind === 'message' ? e.text : e.kind));

describe('X polling', () => {
  const open: XTestSetup[] = [];
  afterEach(async () => {
    for (const setup of open.splice(0)) await setup.close();
  });
  const track = (setup: XTestSetup) => {
    open.push(setup);
    return setup;
  };

  it('asks GET /2/dm_events for the fields and expansions Threadline reads', async () => {
    const setup = track(await setupX());
    await setup.channel.start(setup.intake);
    const [poll] = await setup.x.waitFor('dm_events');
    expect(poll?.query).toEqual({
      'dm_event.fields': 'id,event_type,text,created_at,sender_id,dm_conversation_id,attachments,participant_ids',
      expansions: 'sender_id,attachments.media_keys,participant_ids',
      'user.fields': 'name,username,profile_image_url',
      'media.fields': 'media_key,type,url,preview_image_url,variants',
      max_results: '100',
    });
  });

  it('does not import the history there is at the first start, then takes every later DM, oldest first, across pages', async () => {
    const x = await startFakeXApi({ pageSize: 2 });
    x.customerWrites({ text: 'old one' });
    x.customerWrites({ text: 'old two' });
    const setup = track(await setupX({}, { pollMs: 10 }, { x }));
    await setup.channel.start(setup.intake);
    await waitForFirstPoll(setup.state);
    expect(await setup.state.get(CURSOR_KEY)).toBe(x.events.at(-1)?.id);
    const written = ['one', 'two', 'three', 'four', 'five'].map((text) => x.customerWrites({ text }));
    await waitForCursor(setup.state, String(written.at(-1)?.id));
    expect(texts(setup.accepted)).toEqual(['one', 'two', 'three', 'four', 'five']);
    await setup.close();
    await x.close();
    open.length = 0;
  });

  it('keeps the cursor where it was while intake fails, and loses nothing', async () => {
    const setup = track(await setupX());
    const attempts: (readonly InboundEvent[])[] = [];
    await setup.channel.start({
      accept: async (events) => {
        attempts.push(events);
        if (attempts.length <= 2) throw new StoreError('journal unavailable');
      },
    });
    await waitForFirstPoll(setup.state);
    const cursor = await setup.state.get(CURSOR_KEY);
    const event = setup.x.customerWrites({ text: 'hello?' });
    while (attempts.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await setup.state.get(CURSOR_KEY)).toBe(cursor);
    await waitForCursor(setup.state, String(event.id));
    expect(attempts.map(texts)).toEqual([['hello?'], ['hello?'], ['hello?']]);
    expect(
      setup.capture
        .entries()
        .filter((e) => e.level === 50)
        .map((e) => e.msg),
    ).toEqual([
      'journal unavailable: X DMs kept behind the cursor, retrying',
      'journal unavailable: X DMs kept behind the cursor, retrying',
    ]);
  });

  it('polls on one instance only; another takes over at once when the first stops (releasing its lease)', async () => {
    const x = await startFakeXApi();
    const store = createMemoryStore({ now: () => NOW });
    const a = track(await setupX({}, { pollMs: 10 }, { x, state: storeAdapterState(store, 'x', 'instance-a') }));
    const b = track(await setupX({}, { pollMs: 10 }, { x, state: storeAdapterState(store, 'x', 'instance-b') }));
    await a.channel.start(a.intake);
    await waitForFirstPoll(a.state);
    await b.channel.start(b.intake);
    const hi = x.customerWrites({ text: 'hi' });
    await waitForCursor(a.state, String(hi.id));
    await x.waitFor('dm_events', x.callsOf('dm_events').length + 3);
    expect([texts(a.accepted), texts(b.accepted)]).toEqual([['hi'], []]);

    await a.channel.stop();
    const again = x.customerWrites({ text: 'again' });
    await waitForCursor(b.state, String(again.id));
    expect([texts(a.accepted), texts(b.accepted)]).toEqual([['hi'], ['again']]);
    open.length = 0;
    await b.close();
    await x.close();
  });

  it('ignores group conversations and unknown kinds with one log line each', async () => {
    const setup = track(await setupX());
    await setup.channel.start(setup.intake);
    await waitForFirstPoll(setup.state);
    setup.x.pushEvent({ ...groupMessage, id: undefined });
    setup.x.pushEvent({ ...groupMessage, id: undefined, text: 'again' });
    const last = setup.x.pushEvent({ ...participantsJoin, id: undefined });
    await waitForCursor(setup.state, String(last.id));
    expect(setup.accepted).toEqual([]);
    const lines = setup.capture.entries().filter((e) => e.level >= 30 && /group|kind/.test(e.msg));
    expect(lines.map((e) => [e.level, e.msg])).toEqual([
      [30, 'X group conversation ignored: Threadline bridges one-to-one DMs'],
      [40, 'X DM event of a kind Threadline does not handle; ignored'],
    ]);
  });

  it('waits for x-rate-limit-reset after a 429 on the lookup, and names the keys at error on a 401', async () => {
    const setup = track(await setupX());
    const reset = String(Math.floor(NOW / 1000) + 1);
    await setup.channel.start(setup.intake);
    await waitForFirstPoll(setup.state);
    setup.x.failNext('dm_events', { status: 429, body: tooManyRequests, headers: { 'x-rate-limit-reset': reset } });
    setup.x.failNext('dm_events', { status: 401, body: unauthorized });
    const event = setup.x.customerWrites({ text: 'still there?' });
    await waitForCursor(setup.state, String(event.id), 10_000);
    const failed = setup.capture.entries().filter((e) => e.msg === 'X DM poll failed, trying again');
    expect(failed.map((e) => e.level)).toEqual([40, 50]);
    expect(failed[0]).toMatchObject({ waitMs: 1000 });
    expect(JSON.stringify(failed[1])).toContain('X_ACCESS_TOKEN');
    expect(texts(setup.accepted)).toEqual(['still there?']);
    expect(setup.accepted[0]).toMatchObject({ contact: { id: customer.id, name: customer.name, handle: customer.username } });
  });
});
