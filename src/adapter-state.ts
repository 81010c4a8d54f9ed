/**
 * A channel's AdapterState over the shared Store: its keys and leases namespaced by platform, its
 * leases held in the name of one instance (`owner`). The composition root, `threadline doctor` and
 * the contract suite all build adapter state here, so an adapter sees the same semantics everywhere.
 */
import type { AdapterState } from './channel.ts';
import type { Platform } from './messages.ts';
import { keys } from './store/keys.ts';
import type { Store } from './store/store.ts';

/** AdapterState of `platform` in `store`; `owner` names this instance in the leases it takes. */
export function storeAdapterState(store: Store, platform: Platform, owner: string): AdapterState {
  const key = (name: string): string => keys.adapterState(platform, name);
  return {
    get: (name) => store.get(key(name)),
    set: (name, value, ttlMs) => store.set(key(name), value, ttlMs),
    setIfAbsent: (name, value, ttlMs) => store.setIfAbsent(key(name), value, ttlMs),
    delete: (name) => store.delete(key(name)),
    lease: (name, ttlMs) => store.claim(keys.adapterLease(platform, name), owner, ttlMs),
    releaseLease: (name) => store.unclaim(keys.adapterLease(platform, name), owner),
  };
}
