/**
 * Reading translated texts out of the gettext catalogs that Debian packages install under
 * /usr/share/locale, shared by the two set builders (bench/build-language-set.ts for the shipped
 * sample set, bench/build-language-eval.ts for the evaluation set). Nobody on the project wrote
 * these texts, and no detector was trained on them (docs/language.md, "The evaluation set").
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** Routing language → the catalog locales its texts come from (both the sample set and the evaluation set). */
export const ROUTING_LOCALES: Readonly<Record<string, readonly string[]>> = {
  en: ['en_GB'],
  ko: ['ko'],
  ja: ['ja'],
  'zh-Hans': ['zh_CN'],
  'zh-Hant': ['zh_TW'],
  th: ['th'],
  he: ['he'],
  ar: ['ar'],
  hi: ['hi'],
  ru: ['ru'],
  uk: ['uk'],
  de: ['de'],
  fr: ['fr'],
  es: ['es'],
  pt: ['pt_BR', 'pt'],
  it: ['it'],
  nl: ['nl'],
  nb: ['nb'],
  sv: ['sv'],
  da: ['da'],
  fi: ['fi'],
  pl: ['pl'],
  tr: ['tr'],
  vi: ['vi'],
  id: ['id'],
};

export const SHORT = 15;
export const MIN_LENGTH = 3;
export const MAX_LENGTH = 150;

/** One catalog entry: the English original and its translation. */
export interface Entry {
  readonly id: string;
  readonly text: string;
}

/** One text picked for a set. */
export interface Picked {
  readonly language: string;
  readonly locale: string;
  readonly domain: string;
  readonly text: string;
}

/** Reads a GNU .mo catalog (https://www.gnu.org/software/gettext/manual/html_node/MO-Files.html). */
export function readMo(path: string): Entry[] {
  const buf = readFileSync(path);
  const magic = buf.readUInt32LE(0);
  const read = magic === 0x950412de ? (o: number) => buf.readUInt32LE(o) : (o: number) => buf.readUInt32BE(o);
  const count = read(8);
  const originals = read(12);
  const translations = read(16);
  const str = (table: number, i: number): string => {
    const length = read(table + i * 8);
    const offset = read(table + i * 8 + 4);
    return buf.toString('utf8', offset, offset + length);
  };
  const entries: Entry[] = [];
  for (let i = 0; i < count; i += 1) {
    // msgctxt is joined to msgid by \x04; plural forms are separated by \0 (the first is enough).
    const id = (str(originals, i).split('\x04').pop() ?? '').split('\0')[0] ?? '';
    const text = str(translations, i).split('\0')[0] ?? '';
    if (id !== '' && text !== '') entries.push({ id, text });
  }
  return entries;
}

const FORMAT =
  /%(?:\d+\$)?[-+ 0#']*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|ll|[hlLqjztI])?[diouxXeEfFgGaAcspn]|%\([a-z_]+\)[sd]|\{[\w.]*\}|\$\{\w+\}/;

/**
 * Strips accelerators (`_File`, `&Open`, `ファイル(_F)`) and a format specifier at either end
 * (`%s: `, `: %s`). A specifier inside the sentence would leave a hole ("Cannot open “”"), so
 * those strings are skipped rather than patched.
 */
export function cleanText(raw: string): string | undefined {
  if (/[\n\t<>\\|=@#^~`{}[\]]|--|&\w+;|https?:|\/\w|\w\(\)|\p{L}\?\p{L}/u.test(raw)) return undefined;
  // One `_` or `&` is an accelerator; more are identifiers (PANGO_VARIANT_SMALL_CAPS).
  if ((raw.match(/[_&]/g) ?? []).length > 1) return undefined;
  let text = raw
    .replace(/\s*[(（](?:_|&)[\p{L}\d][)）]/gu, '')
    .replace(/[_&](?=[\p{L}\d])/gu, '')
    .replace(/^\s*(?:%(?:\d+\$)?[a-z]+)\s*[:：]?\s*/u, '')
    .replace(/\s*[:：]?\s*%(?:\d+\$)?[a-z]+\s*$/u, '')
    .replace(/…|\.\.\.$/u, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (FORMAT.test(text) || /[%_$]/.test(text)) return undefined;
  text = text.replace(/[:：]$/u, '').trim();
  return text;
}

function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').trim().toLowerCase();
}

function letters(text: string): string[] {
  return [...text].filter((c) => /\p{L}/u.test(c));
}

/** Scripts whose letters must make up most of a text for it to count as that language (Latin otherwise). */
const SCRIPT: Readonly<Record<string, RegExp>> = {
  ko: /\p{Script=Hangul}/u,
  ja: /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u,
  'zh-Hans': /\p{Script=Han}/u,
  'zh-Hant': /\p{Script=Han}/u,
  th: /\p{Script=Thai}/u,
  he: /\p{Script=Hebrew}/u,
  ar: /\p{Script=Arabic}/u,
  fa: /\p{Script=Arabic}/u,
  ur: /\p{Script=Arabic}/u,
  hi: /\p{Script=Devanagari}/u,
  mr: /\p{Script=Devanagari}/u,
  ne: /\p{Script=Devanagari}/u,
  ru: /\p{Script=Cyrillic}/u,
  uk: /\p{Script=Cyrillic}/u,
  bg: /\p{Script=Cyrillic}/u,
  mk: /\p{Script=Cyrillic}/u,
  sr: /\p{Script=Cyrillic}/u,
  be: /\p{Script=Cyrillic}/u,
  kk: /\p{Script=Cyrillic}/u,
  ky: /\p{Script=Cyrillic}/u,
  tg: /\p{Script=Cyrillic}/u,
};
const LATIN = /\p{Script=Latin}/u;

/** Whether `text`, translated from `entry`, is a usable text of `language`. */
export function fitsLanguage(language: string, entry: Entry, text: string): boolean {
  const all = letters(text);
  if (all.length < 2) return false;
  const script = SCRIPT[language] ?? LATIN;
  const own = all.filter((c) => script.test(c)).length;
  // Non-Latin texts may quote a product name ("PackageKit 서비스"); Latin ones must be all Latin.
  if (script === LATIN ? own !== all.length : own / all.length < 0.6) return false;
  // Untranslated entries (msgstr copied from msgid) are English, not the target language.
  // Names count as untranslated too ("Niels Möller" for "Niels Moller").
  if (language !== 'en' && fold(entry.text) === fold(entry.id)) return false;
  if (text.toUpperCase() === text && script === LATIN) return false;
  return true;
}

/** FNV-1a: a stable, well-spread order that does not depend on catalog order. */
export function hash(text: string): number {
  let h = 0x811c9dc5;
  for (const c of text) {
    h ^= c.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The Debian package that installed `path` (`dpkg-query -S`), or `unknown`. */
export function packageOf(path: string): string {
  try {
    return execFileSync('dpkg-query', ['-S', path], { encoding: 'utf8' }).split(':')[0] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export const catalogPath = (locale: string, domain: string): string => `/usr/share/locale/${locale}/LC_MESSAGES/${domain}.mo`;

/**
 * Every usable text of `language` in the catalogs `domains` of `locales`, each text once, in a
 * stable order (by hash of language and text).
 */
export function candidates(language: string, locales: readonly string[], domains: readonly string[]): Picked[] {
  const seen = new Set<string>();
  const found: Picked[] = [];
  for (const locale of locales) {
    for (const domain of domains) {
      const path = catalogPath(locale, domain);
      if (!existsSync(path)) continue;
      for (const entry of readMo(path)) {
        const text = cleanText(entry.text);
        if (text === undefined || text.length < MIN_LENGTH || text.length > MAX_LENGTH) continue;
        if (seen.has(text) || !fitsLanguage(language, entry, text)) continue;
        seen.add(text);
        found.push({ language, locale, domain, text });
      }
    }
  }
  return found.sort((a, b) => hash(`${language}:${a.text}`) - hash(`${language}:${b.text}`));
}

/** `count` texts from `found`, a `shortShare` of them 15 characters or fewer (as many as there are). */
export function pickShortAndLong(found: readonly Picked[], count: number, shortShare: number): Picked[] {
  const short = found.filter((c) => [...c.text].length <= SHORT).slice(0, Math.round(count * shortShare));
  const long = found.filter((c) => [...c.text].length > SHORT).slice(0, count - short.length);
  return [...short, ...long];
}

/**
 * Catalogs that are not sentences a person writes: country, language, currency and script names
 * (iso-codes), keyboard layouts, file types, and compiler, linker and database-server messages.
 */
export const SKIP =
  /^(?:iso_|xkeyboard-config|shared-mime-info|gcc|cpplib|bfd|binutils|gprof|ld$|opcodes|gas$|gold$|gdb|pg_|plpgsql|psql|postgres|libpq|initdb|pgscripts|elfutils|dpkg-dev|mit-krb5)/;

/** The catalogs (gettext domains) installed for `locales`, less those of SKIP, sorted. */
export function domainsOf(locales: readonly string[]): string[] {
  const domains = new Set<string>();
  for (const locale of locales) {
    const dir = `/usr/share/locale/${locale}/LC_MESSAGES`;
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)) if (file.endsWith('.mo') && !SKIP.test(file.slice(0, -3))) domains.add(file.slice(0, -3));
  }
  return [...domains].sort();
}
