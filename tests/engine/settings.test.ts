import { describe, expect, it } from 'vitest';
import { createRoutingSettings, createSettingsStore, DEFAULT_SETTINGS } from '../../src/engine/settings.ts';
import { keys } from '../../src/store/keys.ts';
import { createMemoryState, createMemoryStore } from '../../src/store/memory-store.ts';

/** Two instances on one backend, as two Threadline processes on one Redis. */
function twoInstances() {
  const state = createMemoryState();
  let clock = 1_000;
  const now = () => clock++;
  const a = createSettingsStore(createMemoryStore({ state }), { owner: 'instance-a', now });
  const b = createSettingsStore(createMemoryStore({ state }), { owner: 'instance-b', now });
  return { a, b };
}

describe('the settings document', () => {
  it('starts at the defaults', async () => {
    const { a } = twoInstances();
    expect(await a.read()).toEqual(DEFAULT_SETTINGS);
    expect(await a.audit()).toEqual([]);
  });

  it('is seen by every instance at once after a change, and the audit log says who changed what, newest first', async () => {
    const { a, b } = twoInstances();
    await createRoutingSettings(a, 'CDEFAULT').setRoute('UADMIN1', 'ko', 'CKO');
    await b.update('UADMIN2', 'agent <@UAGENT> ko', (s) => ({ ...s, agents: { ...s.agents, UAGENT: ['ko'] } }));
    const seen = await a.read();
    expect(seen.routes).toEqual({ ko: 'CKO' });
    expect(seen.agents).toEqual({ UAGENT: ['ko'] });
    expect((await b.audit()).map(({ actor, change }) => [actor, change])).toEqual([
      ['UADMIN2', 'agent <@UAGENT> ko'],
      ['UADMIN1', 'route ko → <#CKO>'],
    ]);
  });

  it('keeps both of two concurrent changes from two instances', async () => {
    const { a, b } = twoInstances();
    const routing = [createRoutingSettings(a, 'CDEFAULT'), createRoutingSettings(b, 'CDEFAULT')];
    await Promise.all(
      ['ko', 'ja', 'en', 'de', 'fr', 'es'].map((language, i) => routing[i % 2]!.setRoute('UADMIN', language, `C${language.toUpperCase()}`)),
    );
    expect(Object.keys((await a.read()).routes).sort()).toEqual(['de', 'en', 'es', 'fr', 'ja', 'ko']);
    expect(await a.audit(100)).toHaveLength(6);
  });

  it('records nothing when a change changes nothing', async () => {
    const { a } = twoInstances();
    expect(await createRoutingSettings(a, 'CDEFAULT').removeRoute('UADMIN', 'ko')).toBe(false);
    expect(await a.audit()).toEqual([]);
  });

  it('keeps the routes set before the document existed', async () => {
    const store = createMemoryStore();
    await store.set(keys.routing(), { routes: { ko: 'CKO' }, defaultChannel: 'COTHER' });
    const routing = createRoutingSettings(createSettingsStore(store, { owner: 'a' }), 'CDEFAULT');
    expect(await routing.routes()).toEqual({ ko: 'CKO' });
    expect(await routing.defaultChannel()).toBe('COTHER');
    await routing.setRoute('UADMIN', 'ja', 'CJA');
    expect(await routing.routes()).toEqual({ ko: 'CKO', ja: 'CJA' });
  });
});
