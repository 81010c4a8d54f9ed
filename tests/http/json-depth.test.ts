import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_JSON_DEPTH, jsonDeeperThan, looksLikeJson } from '../../src/http/json-depth.ts';

const bytes = (text: string) => Buffer.from(text);

describe('jsonDeeperThan', () => {
  it('counts arrays and objects alike, and is true only past the limit', () => {
    expect(jsonDeeperThan(bytes('{"a":[{"b":[1]}]}'), 4)).toBe(false);
    expect(jsonDeeperThan(bytes('{"a":[{"b":[1]}]}'), 3)).toBe(true);
    expect(jsonDeeperThan(bytes('[1,2,{}]'), 1)).toBe(true);
    expect(jsonDeeperThan(bytes('[1,[2],[3],[4]]'), 2)).toBe(false);
  });

  it('ignores brackets inside strings, including after escaped quotes and backslashes', () => {
    expect(jsonDeeperThan(bytes('{"text":"[[[[[[{{{{"}'), 1)).toBe(false);
    expect(jsonDeeperThan(bytes('{"text":"say \\"[[[[\\" twice"}'), 1)).toBe(false);
    expect(jsonDeeperThan(bytes('{"path":"C:\\\\","x":[[1]]}'), 2)).toBe(true);
  });

  it('reads multi-byte UTF-8 text without decoding it', () => {
    expect(jsonDeeperThan(bytes('{"text":"안녕 [[ 🎉 {{"}'), 1)).toBe(false);
    expect(jsonDeeperThan(bytes('{"안":[["🎉"]]}'), 2)).toBe(true);
  });

  it('measures 10,000 levels (20 KB) without recursion, and a million without trouble', () => {
    expect(jsonDeeperThan(bytes(`${'['.repeat(10_000)}${']'.repeat(10_000)}`), DEFAULT_MAX_JSON_DEPTH)).toBe(true);
    expect(jsonDeeperThan(bytes('['.repeat(1_000_000)), DEFAULT_MAX_JSON_DEPTH)).toBe(true);
  });

  it('does not let stray closing brackets lower the count below zero', () => {
    expect(jsonDeeperThan(bytes(']]]]]][[['), 2)).toBe(true);
  });
});

describe('looksLikeJson', () => {
  it('is true for a body opening an object or array after whitespace, false otherwise', () => {
    expect(looksLikeJson(bytes(' \r\n\t{"a":1}'))).toBe(true);
    expect(looksLikeJson(bytes('[1]'))).toBe(true);
    expect(looksLikeJson(bytes('<xml/>'))).toBe(false);
    expect(looksLikeJson(bytes('a=1&b=[[['))).toBe(false);
    expect(looksLikeJson(bytes(''))).toBe(false);
  });
});
