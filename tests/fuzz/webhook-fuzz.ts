/**
 * Property-based fuzzing of inbound HTTP traffic (the issue "One bad message must never stall a
 * channel"): arbitraries that start from a documented body and break it the way a broken proxy, a
 * test tool, an API change or an attacker could, and header arbitraries that authenticate the
 * request or fail to. Used by the contract suite (every webhook route of every adapter, through the
 * real HTTP server) and by tests/e2e/fuzz.test.ts (the whole app, Telegram webhook and /slack/events).
 *
 * Every run is seeded (FUZZ_SEED below, or the `FUZZ_SEED` variable) and bounded in count and time;
 * fast-check prints the seed, the path and the shrunk counterexample of a failure, and
 * `FUZZ_SEED=<seed> npx vitest run <file>` runs the same inputs again.
 */
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';

/** The seed every fuzz property uses unless `FUZZ_SEED` is set (to rerun a failure, or to explore). */
export const FUZZ_SEED = 20261203;

/** The fast-check parameters of a fuzz property: a fixed seed, `numRuns`, and a time bound (runs stop, passing, when it is reached). */
export function fuzzParameters(numRuns: number, timeLimitMs = 20_000): fc.Parameters<unknown> {
  // A test runner's environment is read here only; src/ never sees it.
  const fromEnv = Number(globalThis.process?.env.FUZZ_SEED);
  return {
    seed: Number.isInteger(fromEnv) && fromEnv !== 0 ? fromEnv : FUZZ_SEED,
    numRuns,
    interruptAfterTimeLimit: timeLimitMs,
    markInterruptAsFailure: false,
  };
}

/** A JSON value. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/**
 * A documented body the fuzzer starts from, and how it travels:
 * - `json`: the body is the JSON text of `value` (Telegram updates, Meta and X webhooks, Slack Events API);
 * - `form`: `application/x-www-form-urlencoded` fields (a Slack slash command);
 * - `form-payload`: a form with one `payload` field holding JSON (Slack interactions);
 * - `xml`: `value` is an object of fields written as one `<xml>` element, strings as CDATA (WeChat pushes).
 */
export interface FuzzSample {
  readonly name: string;
  readonly encoding: 'json' | 'form' | 'form-payload' | 'xml';
  readonly value: Json;
}

/** One fuzzed body: which sample, what was done to it, and the exact bytes sent. */
export interface FuzzBody {
  readonly sample: string;
  readonly mutation: string;
  readonly body: Uint8Array;
  /** The content type the sample's encoding calls for. */
  readonly contentType: string;
}

/**
 * How a route authenticates a request. `headers(rawBody)` are the headers a genuine sender adds
 * (a secret token, a signature over the exact bytes). `forgeries` are scheme-specific wrong
 * variants (a stale timestamp, the signature of another body) on top of the generic ones
 * (missing headers, a changed value).
 */
export interface FuzzAuth {
  readonly headers: (rawBody: Uint8Array) => Record<string, string>;
  /** The scheme signs in the URL (WeChat's `signature`, `timestamp`, `nonce`): what `headers` returns goes in the query string instead. */
  readonly inQuery?: boolean;
  readonly forgeries?: (rawBody: Uint8Array) => Readonly<Record<string, Record<string, string>>>;
}

/** A fuzzed request: a body, its headers and whether they authenticate it. */
export interface FuzzRequest extends FuzzBody {
  /** `valid`, or the name of the way authentication was broken. */
  readonly auth: string;
  readonly authenticated: boolean;
  readonly headers: Record<string, string>;
}

type Path = readonly (string | number)[];
type Mutable = null | boolean | number | string | Mutable[] | { [key: string]: Mutable };

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Strings that break naive code: emoji (joined, flags, skin tones), lone surrogates, combining marks, controls, bidi, NUL. */
const nastyPieces = [
  '😀',
  '👩‍👩‍👧‍👦',
  '🇺🇦',
  '👍🏽',
  '\uD83D',
  '\uDE00',
  '\uDE00\uD83D',
  'e\u0301',
  '\u0000',
  '\u0007',
  '\u202E',
  '\uFEFF',
  '\u200D',
  '\n',
  '\r\n',
  '\t',
  '"',
  '\\',
  '</script>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a hostile input on purpose, not a template
  '${x}',
  '%s',
  '`',
  '*bold*',
  '<!channel>',
  '<@U123>',
  '&amp;',
  '\u2028',
  '中文',
  'عربى',
];
const nastyString = fc
  .array(fc.oneof(fc.constantFrom(...nastyPieces), fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 8 })), {
    maxLength: 12,
  })
  .map((parts) => parts.join(''));

/** A very long string: `unit` repeated up to `maxLength` characters (emoji included, so a cut may land inside one). */
function hugeString(maxLength: number): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom('x', 'é', '😀', '👩‍👩‍👧‍👦', 'a\uD83D', ' '), fc.integer({ min: Math.min(5000, maxLength), max: maxLength }))
    .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));
}

/** A value of another JSON type than usual: numbers (edge ones too), strings, null, booleans, arrays, objects. */
const otherValue: fc.Arbitrary<Mutable> = fc.oneof(
  fc.constantFrom<Mutable>(0, -1, 1.5, 2 ** 53 + 1, -(2 ** 63), 1e308, '', '0', 'true', 'null', null, true, false, [], {}, [null], {
    '': null,
  }),
  fc.integer() as fc.Arbitrary<Mutable>,
  fc.double({ noNaN: true, noDefaultInfinity: true }) as fc.Arbitrary<Mutable>,
  nastyString as fc.Arbitrary<Mutable>,
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Mutable>,
);

/** `[[[…]]]` or `{"a":{"a":…}}` `depth` levels deep, as text (the server refuses JSON deeper than 64 before a route sees it). */
function nestedText(depth: number, kind: 'array' | 'object', leaf: string): string {
  return kind === 'array' ? `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;
}

const nestingDepth = fc.oneof(fc.integer({ min: 1, max: 80 }), fc.constantFrom(62, 63, 64, 65, 66, 200, 5000));

/** Every path into `value` (object fields and array items, nested), the root excluded. */
function pathsOf(value: Mutable, prefix: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [];
  const entries: [string | number, Mutable][] = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
  return entries.flatMap(([key, item]) => [[...prefix, key], ...pathsOf(item, [...prefix, key])]);
}

function parentOf(root: Mutable, path: Path): Record<string | number, Mutable> {
  let parent: unknown = root;
  for (const key of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[key];
  return parent as Record<string | number, Mutable>;
}

function setAt(root: Mutable, path: Path, value: Mutable): Mutable {
  if (path.length === 0) return value;
  parentOf(root, path)[path.at(-1) as string | number] = value;
  return root;
}

function dropAt(root: Mutable, path: Path): Mutable {
  const parent = parentOf(root, path);
  const key = path.at(-1) as string | number;
  if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete parent[key];
  return root;
}

/** A structural change to a parsed body; `pick` chooses the path (modulo the paths there are). */
type Edit = { readonly op: 'drop'; readonly pick: number } | { readonly op: 'retype'; readonly pick: number; readonly value: Mutable };

function applyEdit(root: Mutable, edit: Edit): { root: Mutable; label: string } {
  const paths = pathsOf(root);
  if (paths.length === 0)
    return { root: edit.op === 'retype' ? edit.value : root, label: edit.op === 'retype' ? 'root replaced' : 'nothing to drop' };
  const path = paths[edit.pick % paths.length] as Path;
  const where = path.join('.');
  if (edit.op === 'drop') return { root: dropAt(root, path), label: `drop ${where}` };
  return { root: setAt(root, path, edit.value), label: `${where} = ${describe(edit.value)}` };
}

function describe(value: Mutable): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}… (${text.length} chars)` : text;
}

/** A placeholder that JSON.stringify leaves in the text, replaced afterwards by raw text (deep nesting). */
const RAW = '\u0000threadline-fuzz-raw\u0000';

/** Text-level mutations of a JSON value: each returns the mutated JSON text and a label. */
function jsonTextMutations(sample: Mutable, maxHugeLength: number): fc.Arbitrary<{ text: string; label: string }> {
  const edits = (value: fc.Arbitrary<Mutable>) => fc.tuple(fc.nat(), value);
  const clone = () => structuredClone(sample);
  const pathCount = Math.max(1, pathsOf(sample).length);
  const editsArb: fc.Arbitrary<Edit> = fc.oneof(
    fc.nat().map((pick): Edit => ({ op: 'drop', pick })),
    edits(otherValue).map(([pick, value]): Edit => ({ op: 'retype', pick, value })),
  );
  return fc.oneof(
    // One to three structural edits: a field dropped or given another type.
    fc.array(editsArb, { minLength: 1, maxLength: 3 }).map((list) => {
      let root: Mutable = clone();
      const labels: string[] = [];
      for (const edit of list) {
        const applied = applyEdit(root, edit);
        root = applied.root;
        labels.push(applied.label);
      }
      return { text: JSON.stringify(root), label: labels.join('; ') };
    }),
    // A huge string in one field.
    edits(hugeString(maxHugeLength)).map(([pick, value]) => {
      const applied = applyEdit(clone(), { op: 'retype', pick, value });
      return { text: JSON.stringify(applied.root), label: `huge string: ${applied.label}` };
    }),
    // Emoji, lone surrogates and control characters in one field (JSON.stringify writes a lone surrogate as \udXXX).
    edits(nastyString).map(([pick, value]) => {
      const applied = applyEdit(clone(), { op: 'retype', pick, value });
      return { text: JSON.stringify(applied.root), label: `nasty string: ${applied.label}` };
    }),
    // Deep nesting in one field, around and beyond the 64-level limit.
    fc.tuple(fc.nat(), nestingDepth, fc.constantFrom('array', 'object') as fc.Arbitrary<'array' | 'object'>).map(([pick, depth, kind]) => {
      const applied = applyEdit(clone(), { op: 'retype', pick, value: RAW });
      return {
        text: JSON.stringify(applied.root).replace(JSON.stringify(RAW), nestedText(depth, kind, '1')),
        label: `nested ${depth} ${kind}s: ${applied.label}`,
      };
    }),
    // A duplicate key, as raw text (JSON.parse keeps the last one).
    fc.tuple(fc.nat(), otherValue, fc.boolean()).map(([pick, value, before]) => duplicateKey(clone(), pick % pathCount, value, before)),
    // Truncated JSON.
    fc.nat().map((cut) => {
      const text = JSON.stringify(sample);
      const at = cut % Math.max(1, text.length);
      return { text: text.slice(0, at), label: `truncated at ${at} of ${text.length}` };
    }),
    // Another top-level value.
    otherValue.map((value) => ({ text: JSON.stringify(value), label: `whole body = ${describe(value)}` })),
  );
}

/** The JSON text of `root` with the object field at path number `pick` written twice (the copy holding `value`). */
function duplicateKey(root: Mutable, pick: number, value: Mutable, before: boolean): { text: string; label: string } {
  const objectPaths = pathsOf(root).filter((path) => typeof path.at(-1) === 'string');
  const path = objectPaths[pick % Math.max(1, objectPaths.length)];
  if (path === undefined) return { text: JSON.stringify(root), label: 'no key to duplicate' };
  const key = path.at(-1) as string;
  const marker = `${RAW}dup`;
  const parent = parentOf(root, path) as Record<string, Mutable>;
  const original = parent[key] as Mutable;
  // Rebuild the parent with a placeholder key next to the real one, then rename the placeholder in the text.
  const rebuilt: Record<string, Mutable> = {};
  for (const [k, v] of Object.entries(parent)) {
    if (k === key && before) rebuilt[marker] = value;
    rebuilt[k] = v;
    if (k === key && !before) rebuilt[marker] = value;
  }
  const rootWithCopy = path.length === 1 ? rebuilt : setAt(root, path.slice(0, -1), rebuilt);
  const text = JSON.stringify(rootWithCopy).replace(JSON.stringify(marker), JSON.stringify(key));
  return {
    text,
    label: `duplicate key ${path.join('.')} (${before ? 'copy first' : 'copy last'}: ${describe(value)}, original ${describe(original)})`,
  };
}

/** Bytes that are not the sample's encoding at all. */
const junkBodies: fc.Arbitrary<{ body: Uint8Array; label: string }> = fc.oneof(
  fc.constant({ body: new Uint8Array(), label: 'empty body' }),
  fc.uint8Array({ maxLength: 600 }).map((body) => ({ body, label: `${body.length} random bytes` })),
  fc
    .constantFrom(
      'null',
      '[]',
      '{}',
      '""',
      '42',
      'true',
      '<xml/>',
      'a=1&b=2',
      'payload=%7B',
      ' ',
      '\uFEFF{"update_id":1}',
      '{"update_id":1}garbage',
      '{"a":1}{"b":2}',
      '[1,]',
      '{"a":}',
      "{'a':1}",
      '{"a":1,}',
      'NaN',
      '\u0000',
    )
    .map((text) => ({ body: utf8(text), label: `junk ${JSON.stringify(text)}` })),
  // Invalid UTF-8 inside an otherwise fine JSON string.
  fc.constantFrom([0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]).map((bytes) => ({
    body: new Uint8Array([...utf8('{"update_id":1,"message":{"text":"'), ...bytes, ...utf8('"}}')]),
    label: `invalid UTF-8 ${bytes.map((b) => b.toString(16)).join(' ')}`,
  })),
);

/** Form-encodes fields; non-string values as their JSON text, an array as the field repeated. */
function formText(fields: Mutable): string {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return JSON.stringify(fields);
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    if (Array.isArray(value)) for (const item of value) params.append(key, typeof item === 'string' ? item : JSON.stringify(item));
    else params.append(key, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return params.toString();
}

const CONTENT_TYPES = {
  json: 'application/json',
  form: 'application/x-www-form-urlencoded',
  'form-payload': 'application/x-www-form-urlencoded',
  xml: 'text/xml',
} as const;

/** Fields as one `<xml>` element: strings as CDATA, numbers as text, objects nested, arrays repeated, null empty. */
function xmlText(fields: Mutable): string {
  const inner = (value: Mutable): string => {
    if (value === null) return '';
    if (typeof value === 'string') return `<![CDATA[${value.split(']]>').join(']]]]><![CDATA[>')}]]>`;
    if (typeof value !== 'object') return String(value);
    if (Array.isArray(value)) return value.map(inner).join('');
    return Object.entries(value)
      .map(([name, child]) =>
        Array.isArray(child) ? child.map((item) => `<${name}>${inner(item)}</${name}>`).join('') : `<${name}>${inner(child)}</${name}>`,
      )
      .join('');
  };
  return `<xml>${inner(fields)}</xml>`;
}

/** Mutated bodies of one sample. `maxHugeLength` bounds the huge strings (default 300,000 characters). */
export function mutatedBody(sample: FuzzSample, options: { readonly maxHugeLength?: number } = {}): fc.Arbitrary<FuzzBody> {
  const maxHugeLength = options.maxHugeLength ?? 300_000;
  const value = sample.value as Mutable;
  const contentType = CONTENT_TYPES[sample.encoding];
  const of = (body: Uint8Array, mutation: string): FuzzBody => printable({ sample: sample.name, mutation, body, contentType });
  const structured = jsonTextMutations(value, maxHugeLength).map(({ text, label }) => {
    if (sample.encoding === 'json') return of(utf8(text), label);
    if (sample.encoding === 'form-payload') return of(utf8(new URLSearchParams({ payload: text }).toString()), `payload: ${label}`);
    if (sample.encoding === 'xml') {
      // The mutated fields written back as XML when still JSON (too deep to write: the text as is).
      try {
        return of(utf8(xmlText(JSON.parse(text) as Mutable)), `xml: ${label}`);
      } catch {
        return of(utf8(text), `xml: ${label}`);
      }
    }
    // A form: the mutated JSON parsed back when it is still JSON, else the text as is.
    let parsed: Mutable | undefined;
    try {
      parsed = JSON.parse(text) as Mutable;
    } catch {
      parsed = undefined;
    }
    let encoded = text;
    try {
      if (parsed !== undefined) encoded = formText(parsed);
    } catch {
      // Too deep to write back as form fields (JSON.stringify overflows): send the JSON text as the body.
    }
    return of(utf8(encoded), `form: ${label}`);
  });
  return fc.oneof(
    { arbitrary: structured, weight: 6 },
    { arbitrary: junkBodies.map(({ body, label }) => of(body, label)), weight: 2 },
    {
      arbitrary: fc.constant(
        of(
          utf8(
            sample.encoding === 'json'
              ? JSON.stringify(value)
              : sample.encoding === 'xml'
                ? xmlText(value)
                : sample.encoding === 'form'
                  ? formText(value)
                  : new URLSearchParams({ payload: JSON.stringify(value) }).toString(),
          ),
          'unchanged',
        ),
      ),
      weight: 1,
    },
  );
}

/**
 * How fast-check prints a counterexample: the sample, the mutation, the headers and the body's start
 * (a 300,000-character body printed byte by byte would bury the seed).
 */
function printable<T extends FuzzBody>(value: T): T {
  const { body, ...rest } = value;
  const start = new TextDecoder().decode(body.slice(0, 300));
  return Object.assign(value, {
    [fc.toStringMethod]: () => JSON.stringify({ ...rest, bodyBytes: body.length, bodyStart: start }),
  });
}

/** Content types a sender could put on the body: the right one in other spellings, wrong ones, none. */
function contentTypeVariant(right: string): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { arbitrary: fc.constant(right), weight: 4 },
    {
      arbitrary: fc.constantFrom(
        `${right}; charset=utf-8`,
        right.toUpperCase(),
        `${right};charset=UTF-8`,
        'text/plain',
        'application/octet-stream',
        'multipart/form-data; boundary=x',
        'application/json',
        'application/x-www-form-urlencoded',
        '',
        'application/json; charset=latin1',
      ),
      weight: 3,
    },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );
}

/** A different value: the last character changed, one appended, emptied, cut in half, or case-swapped. */
function alteredValue(value: string, how: number): { value: string; label: string } {
  const variants = [
    { value: `${value.slice(0, -1)}${value.endsWith('a') ? 'b' : 'a'}`, label: 'last character changed' },
    { value: `${value}x`, label: 'one character appended' },
    { value: '', label: 'empty' },
    { value: value.slice(0, Math.floor(value.length / 2)), label: 'cut in half' },
    { value: value === value.toUpperCase() ? value.toLowerCase() : value.toUpperCase(), label: 'case changed' },
    { value: `${value},${value}`, label: 'sent twice' },
  ].filter((variant) => variant.value !== value);
  return variants[how % variants.length] as { value: string; label: string };
}

/**
 * Requests built from `bodies`: mostly authenticated (so the parser is reached), the rest with
 * authentication missing or wrong in a generic or scheme-specific way, with content-type variations.
 */
export function fuzzRequests(
  bodies: fc.Arbitrary<FuzzBody>,
  auth: FuzzAuth,
  options: { readonly authenticatedWeight?: number } = {},
): fc.Arbitrary<FuzzRequest> {
  const wrong = fc.record({
    kind: fc.constantFrom<'valid' | 'missing' | 'dropOne' | 'altered' | 'forged'>('missing', 'dropOne', 'altered', 'forged'),
    index: fc.nat(),
  });
  const weight = options.authenticatedWeight ?? 3;
  const how =
    weight <= 0
      ? wrong
      : fc.oneof({ arbitrary: fc.constant({ kind: 'valid' as const, index: 0 }), weight }, { arbitrary: wrong, weight: 2 });
  return fc.tuple(bodies, how, fc.nat()).chain(([body, authHow, pick]) =>
    contentTypeVariant(body.contentType).map((contentType): FuzzRequest => {
      const valid = auth.headers(body.body);
      const names = Object.keys(valid);
      const typed = (headers: Record<string, string>) =>
        contentType === undefined ? headers : { 'content-type': contentType, ...headers };
      const result = (label: string, headers: Record<string, string>): FuzzRequest => {
        // A "wrong" variant that happens to equal the genuine headers (a token that does not depend on the body) is authenticated.
        const authenticated = label === 'valid' || names.every((name) => headers[name] === valid[name]);
        return printable({ ...body, auth: authenticated ? 'valid' : label, authenticated, headers: typed(headers) });
      };
      if (authHow.kind === 'valid' || names.length === 0) return result('valid', valid);
      if (authHow.kind === 'missing') return result('auth headers missing', {});
      const name = names[pick % names.length] as string;
      if (authHow.kind === 'dropOne') {
        const { [name]: _dropped, ...rest } = valid;
        return result(`${name} missing`, rest);
      }
      if (authHow.kind === 'altered') {
        const altered = alteredValue(valid[name] as string, authHow.index);
        return result(`${name} ${altered.label}`, { ...valid, [name]: altered.value });
      }
      const forgeries = {
        'headers of another body': auth.headers(utf8(`${new TextDecoder().decode(body.body)} `)),
        ...auth.forgeries?.(body.body),
      };
      const [label, headers] = Object.entries(forgeries)[authHow.index % Object.keys(forgeries).length] as [string, Record<string, string>];
      return result(label, headers);
    }),
  );
}

/** Sends a fuzzed request; a hung server fails the run (after 15 s) rather than the whole file. */
export async function send(baseUrl: string, method: string, path: string, request: FuzzRequest): Promise<{ status: number; text: string }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: request.headers,
    ...(method === 'GET' ? {} : { body: request.body }),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: response.status, text: await response.text() };
}

/** The base URL of a listening server. */
export function baseUrlOf(server: { address(): AddressInfo | string | null }): string {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server is not listening on TCP');
  return `http://127.0.0.1:${address.port}`;
}

/** A header-secret scheme (Telegram's `X-Telegram-Bot-Api-Secret-Token`): the same value whatever the body. */
export function secretHeaderAuth(header: string, secret: string): FuzzAuth {
  return { headers: () => ({ [header]: secret }) };
}

/**
 * Slack's request signing over the exact bytes: `v0=` + hex HMAC-SHA256(secret, `v0:<timestamp>:<body>`).
 * Forgeries: a timestamp 10 minutes old (signed correctly for it), the signature of another
 * timestamp, no `v0=` prefix, another secret.
 * @see https://docs.slack.dev/authentication/verifying-requests-from-slack
 */
export function slackSigningAuth(secret: string, now: () => number = () => Math.floor(Date.now() / 1000)): FuzzAuth {
  const sign = (key: string, rawBody: Uint8Array, timestamp: number) => ({
    'x-slack-signature': `v0=${createHmac('sha256', key).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`,
    'x-slack-request-timestamp': String(timestamp),
  });
  return {
    headers: (rawBody) => sign(secret, rawBody, now()),
    forgeries: (rawBody) => {
      const t = now();
      const valid = sign(secret, rawBody, t);
      return {
        'stale timestamp (10 minutes old), correctly signed': sign(secret, rawBody, t - 600),
        'signature of another timestamp': { ...valid, 'x-slack-request-timestamp': String(t - 1) },
        'signature without v0=': { ...valid, 'x-slack-signature': valid['x-slack-signature'].slice(3) },
        'another secret': sign(`${secret}x`, rawBody, t),
        'timestamp not a number': { ...valid, 'x-slack-request-timestamp': 'now' },
      };
    },
  };
}

/** Statuses the fuzz allows: 2xx and 4xx always; 5xx only `503` while the store is down. */
export function allowedStatus(status: number, storeDown = false): boolean {
  return (status >= 200 && status < 300) || (status >= 400 && status < 500) || (storeDown && status === 503);
}
