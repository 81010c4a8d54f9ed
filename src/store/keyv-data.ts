/**
 * get / set / delete through keyv, shared by the keyv-backed stores (embedded and Redis): keyv does
 * the (de)serialization and expiry, the guard turns failures into StoreError.
 */
import type { Keyv } from 'keyv';
import { checkMs, type Guard } from './guard.ts';
import type { Store } from './store.ts';

/** The plain data operations of a Store over `keyv`. `wholeMs` rounds TTLs where the backend needs integers. */
export function keyvData(keyv: Keyv, guard: Guard, wholeMs: (ms: number) => number = (ms) => ms): Pick<Store, 'get' | 'set' | 'delete'> {
  return {
    get: <T>(key: string) => guard(`get ${key}`, () => keyv.get<T>(key)),
    set: (key, value, ttlMs) =>
      guard(`set ${key}`, async () => {
        await keyv.set(key, value, ttlMs === undefined ? undefined : wholeMs(checkMs('ttlMs', ttlMs)));
      }),
    delete: (key) => guard(`delete ${key}`, () => keyv.delete(key)),
  };
}
