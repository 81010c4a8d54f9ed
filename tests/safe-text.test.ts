import { describe, expect, it } from 'vitest';
import { graphemeCut, truncateGraphemes, wellFormed, wellFormedDeep } from '../src/safe-text.ts';

const FAMILY = '👨‍👩‍👧‍👦'; // man ZWJ woman ZWJ girl ZWJ boy: 11 UTF-16 units, one grapheme
const KOREA = '🇰🇷'; // two regional indicators: 4 units, one grapheme
const E_ACUTE = 'e\u0301'; // e + combining acute accent: 2 units, one grapheme
const isWellFormed = (text: string) => !/\p{Surrogate}/u.test(text);

describe('wellFormed', () => {
  it('replaces lone surrogates with U+FFFD and leaves pairs alone', () => {
    expect(wellFormed('hello\uD83D')).toBe('hello\uFFFD');
    expect(wellFormed('\uDE00hello')).toBe('\uFFFDhello');
    expect(wellFormed('a\uDE00\uD83Db')).toBe('a\uFFFD\uFFFDb');
    expect(wellFormed(`ok 😀 ${FAMILY}`)).toBe(`ok 😀 ${FAMILY}`);
  });

  it('reaches every string of a plain-JSON value, keys included', () => {
    const value = { text: 'hi\uD83D', contact: { name: ['\uDE00x'], age: 3, none: null }, 'k\uD83D': true };
    expect(wellFormedDeep(value)).toEqual({ text: 'hi\uFFFD', contact: { name: ['\uFFFDx'], age: 3, none: null }, 'k\uFFFD': true });
  });
});

describe('truncateGraphemes', () => {
  it('returns a text that fits unchanged', () => {
    expect(truncateGraphemes('Min-jun Kim', 80)).toBe('Min-jun Kim');
    expect(truncateGraphemes(FAMILY.repeat(7), 77)).toBe(FAMILY.repeat(7));
  });

  it('cuts 41 family emoji (first and last name) to whole emoji and an ellipsis within 80 units', () => {
    const name = `${FAMILY.repeat(41)} ${FAMILY.repeat(41)}`;
    const cut = truncateGraphemes(name, 80);
    expect(cut).toBe(`${FAMILY.repeat(7)}…`);
    expect(cut.length).toBeLessThanOrEqual(80);
  });

  it('never splits a surrogate pair, a flag or a combining mark', () => {
    const smiles = truncateGraphemes(`A${'😀'.repeat(41)}`, 80);
    expect(smiles).toBe(`A${'😀'.repeat(39)}…`);
    expect(isWellFormed(smiles)).toBe(true);
    expect(truncateGraphemes(KOREA.repeat(10), 10)).toBe(`${KOREA.repeat(2)}…`);
    expect(truncateGraphemes(E_ACUTE.repeat(10), 6)).toBe(`${E_ACUTE.repeat(2)}…`);
  });

  it('makes the result well-formed, and takes another ellipsis or none', () => {
    expect(truncateGraphemes('hello\uD83D', 80)).toBe('hello\uFFFD');
    expect(truncateGraphemes('abcdefgh', 6, '...')).toBe('abc...');
    expect(truncateGraphemes('abcdefgh', 4, '')).toBe('abcd');
    expect(truncateGraphemes(FAMILY, 5)).toBe('…');
    expect(truncateGraphemes('abc', 0)).toBe('');
  });
});

describe('graphemeCut', () => {
  it('is the last grapheme boundary at or before the limit', () => {
    expect(graphemeCut(FAMILY.repeat(3), 25)).toBe(22);
    expect(graphemeCut('abc', 10)).toBe(3);
    expect(graphemeCut(FAMILY, 5)).toBe(0);
    expect(graphemeCut(`a${E_ACUTE}b`, 2)).toBe(1);
  });
});
