/**
 * How deeply a JSON body nests, measured on the raw bytes without parsing. A body nested thousands
 * of levels deep parses fine but overflows the stack of anything that walks it recursively later
 * (JSON.stringify in the journal, a logger), so the server refuses it before any route sees it.
 */

/** Far above any documented webhook payload (Telegram's, Meta's, X's nest well under 20 levels). */
export const DEFAULT_MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/** True when `body` looks like JSON: its first non-whitespace byte opens an object or an array. */
export function looksLikeJson(body: Uint8Array): boolean {
  for (const byte of body) {
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
    return byte === OPEN_OBJECT || byte === OPEN_ARRAY;
  }
  return false;
}

/**
 * True when some `[` or `{` of `body` (outside strings) sits more than `limit` levels deep. One pass,
 * no recursion, stops at the first level too deep. It measures nesting only: a body that is not valid
 * JSON is left for the route's own parser to refuse. UTF-8 needs no decoding here, because every byte
 * of a multi-byte character is 0x80 or above and so never looks like a quote, bracket or backslash.
 */
export function jsonDeeperThan(body: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (const byte of body) {
    if (inString) {
      if (escaped) escaped = false;
      else if (byte === BACKSLASH) escaped = true;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      depth += 1;
      if (depth > limit) return true;
    } else if ((byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) && depth > 0) {
      depth -= 1;
    }
  }
  return false;
}
