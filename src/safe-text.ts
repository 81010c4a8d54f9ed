/**
 * Text made safe to send: well-formed UTF-16, and cut only between graphemes. A lone surrogate
 * (a text that ends in half an emoji, or a cut through one) makes Slack's WebClient throw
 * "URI malformed" while encoding the request, so it never reaches Slack at all; a cut through a
 * grapheme (a family emoji, a flag, a letter and its accent) shows a broken character.
 * Every place that cuts or sends text uses these, never `slice`. No imports: adapters use it too.
 */

// Node 20+ has String.prototype.isWellFormed/toWellFormed (ES2024); the project's lib is ES2023.
declare global {
  interface String {
    isWellFormed(): boolean;
    toWellFormed(): string;
  }
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** `text` with every lone surrogate replaced by U+FFFD (the replacement character). */
export function wellFormed(text: string): string {
  return text.isWellFormed() ? text : text.toWellFormed();
}

/** A copy of a plain-JSON value with every string in it (keys included) made well-formed. */
export function wellFormedDeep<T>(value: T): T {
  if (typeof value === 'string') return wellFormed(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => wellFormedDeep(item)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [wellFormed(key), wellFormedDeep(item)])) as T;
  }
  return value;
}

/**
 * The largest index ≤ `maxUnits` at which `text` can be cut without splitting a grapheme (0 when
 * the first grapheme alone is longer). `text.length` when it fits.
 */
export function graphemeCut(text: string, maxUnits: number): number {
  if (text.length <= maxUnits) return text.length;
  let cut = 0;
  for (const { index } of graphemes.segment(text)) {
    if (index > maxUnits) break;
    cut = index;
  }
  return cut;
}

/**
 * `text`, well-formed, at most `maxUnits` UTF-16 units long (the unit Slack and Telegram count):
 * cut on a grapheme boundary with `ellipsis` appended when it was longer. When not even the
 * ellipsis fits, the cut has none.
 */
export function truncateGraphemes(text: string, maxUnits: number, ellipsis = '…'): string {
  const safe = wellFormed(text);
  if (safe.length <= maxUnits) return safe;
  const mark = ellipsis.length <= maxUnits ? wellFormed(ellipsis) : '';
  return safe.slice(0, graphemeCut(safe, maxUnits - mark.length)) + mark;
}
