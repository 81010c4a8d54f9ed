import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import type { Store, StoreWrite } from '../../src/store/store.ts';
import { bufferWrites } from '../../src/store/write-buffer.ts';

/** A memory store that records each commit it is given. */
function recording(): { store: Store; commits: StoreWrite[][] } {
  const inner = createMemoryStore();
  const commits: StoreWrite[][] = [];
  return {
    commits,
    store: {
      ...inner,
      journal: inner.journal,
      commit: (writes) => {
        commits.push([...writes]);
        return inner.commit(writes);
      },
    },
  };
}

describe('write buffer (a job view of the store)', () => {
  it('holds sets and deletes back, reads them itself, and commits them in one commit on flush', async () => {
    const { store, commits } = recording();
    await store.set('old', 'x');
    const view = bufferWrites(store);
    await view.set('record', { status: 'waiting' });
    await view.set('record', { status: 'answered' });
    expect(await view.delete('old')).toBe(true);
    expect(await view.delete('never')).toBe(false);
    expect(await view.get('record')).toEqual({ status: 'answered' });
    expect(await view.get('old')).toBeUndefined();
    expect(await store.get('record')).toBeUndefined();
    expect(await store.get('old')).toBe('x');
    expect(view.pending).toBe(3);
    expect(await view.flush([{ op: 'set', key: 'processed', value: true }])).toEqual([true]);
    expect(commits).toHaveLength(1);
    expect(commits[0]).toHaveLength(4);
    expect(await store.get('record')).toEqual({ status: 'answered' });
    expect(await store.get('old')).toBeUndefined();
    expect(view.pending).toBe(0);
    expect(await view.flush()).toEqual([]);
    expect(commits).toHaveLength(1);
  });

  it('returns a copy of a value it holds, as a store read does', async () => {
    const view = bufferWrites(createMemoryStore());
    await view.set('record', { tags: ['a'] });
    const read = await view.get<{ tags: string[] }>('record');
    read?.tags.push('b');
    expect(await view.get('record')).toEqual({ tags: ['a'] });
  });

  it('commits what it holds together with a setIfAbsent, before the caller acts on it', async () => {
    const { store, commits } = recording();
    const view = bufferWrites(store);
    await view.set('conversation', { generation: 1 });
    expect(await view.setIfAbsent('intent', true)).toBe(true);
    expect(await store.get('conversation')).toEqual({ generation: 1 });
    expect(commits).toEqual([
      [
        { op: 'set', key: 'conversation', value: { generation: 1 } },
        { op: 'setIfAbsent', key: 'intent', value: true },
      ],
    ]);
    expect(await view.setIfAbsent('intent', true)).toBe(false);
    await view.set('posted', '1.2');
    expect(await view.commit([])).toEqual([]);
    expect(await store.get('posted')).toBe('1.2');
  });

  it('holds index puts and removes, answers score from them, and commits before range and count', async () => {
    const { store, commits } = recording();
    await store.index('waiting').put('c0', 1);
    const view = bufferWrites(store);
    const waiting = view.index('waiting');
    await waiting.put('c1', 5);
    expect(await waiting.score('c1')).toBe(5);
    expect(await waiting.remove('c0')).toBe(true);
    expect(await waiting.remove('never')).toBe(false);
    expect(await waiting.score('c0')).toBeUndefined();
    expect(await store.index('waiting').score('c0')).toBe(1);
    expect(commits).toHaveLength(0);
    expect(await waiting.range()).toEqual([{ member: 'c1', score: 5 }]);
    expect(commits).toHaveLength(1);
    expect(await waiting.count()).toBe(1);
  });

  it('runs afterCommit callbacks once what was written before them is committed, and at once when nothing waits', async () => {
    const { store } = recording();
    const view = bufferWrites(store);
    const seen: unknown[] = [];
    view.afterCommit(() => seen.push('nothing waited'));
    await view.set('record', 1);
    view.afterCommit(() => void store.get('record').then((value) => seen.push(value)));
    expect(seen).toEqual(['nothing waited']);
    await view.flush();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['nothing waited', 1]);
  });

  it('passes counters, claims and the journal straight through', async () => {
    const { store, commits } = recording();
    const view = bufferWrites(store);
    expect(await view.increment('rr')).toBe(1);
    expect(await store.increment('rr')).toBe(2);
    expect(await view.claim('lease', 'me', 60_000)).toBe(true);
    expect(await store.claim('lease', 'you', 60_000)).toBe(false);
    expect(view.journal).toBe(store.journal);
    expect(commits).toHaveLength(0);
  });
});
