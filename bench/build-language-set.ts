/**
 * Regenerates tests/fixtures/language/samples.ts: short human translations taken from the
 * gettext catalogs that Debian packages install under /usr/share/locale. Nobody on the project
 * wrote them, and no detector was trained on them (docs/language.md, "The measurement").
 *
 * Run: npx tsx bench/build-language-set.ts [output path] [texts per language]
 * (a larger set, e.g. `tmp/language-set.ts 200`, is useful for tuning; ship the default 20;
 * `tmp/` is git-ignored, create it first).
 *
 * The pick is deterministic for a given set of installed catalogs: candidates are ordered by a
 * hash of their text, so rerunning on the same machine gives the same file.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Routing language → the catalog locales its texts come from. */
const LOCALES: Readonly<Record<string, readonly string[]>> = {
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

/**
 * User-facing catalogs only: desktop and package-manager messages read like sentences a person
 * writes. Compiler, database, iso-codes (country and language names), xkeyboard-config (layout
 * names) and shared-mime-info (file-type names such as "XBM image") catalogs do not.
 */
const DOMAINS = [
  'PackageKit',
  'glib20',
  'gtk20',
  'gtk20-properties',
  'Linux-PAM',
  'software-properties',
  'apt',
  'libapt-pkg6.0',
  'at-spi2-core',
  'gdk-pixbuf',
  'xdg-user-dirs',
  'appstream',
  'gsettings-desktop-schemas',
  'avahi',
  'shadow',
  'adduser',
  'wget',
  'sed',
  'grep',
  'coreutils',
  'bash',
  'popt',
  'gstreamer-1.0',
  'dpkg',
  'tar',
  'findutils',
  'diffutils',
  'psmisc',
  'man-db',
  'python-apt',
  'polkit-1',
  'systemd',
] as const;

/** The set measured in docs/language.md had 40 % of its texts at 15 characters or fewer; keep that share. */
const SHORT_SHARE = 0.4;
const SHORT = 15;
const MIN_LENGTH = 3;
const MAX_LENGTH = 150;

/** Scripts whose letters must make up most of a text for it to count as that language. */
const SCRIPT: Readonly<Record<string, RegExp>> = {
  ko: /\p{Script=Hangul}/u,
  ja: /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u,
  'zh-Hans': /\p{Script=Han}/u,
  'zh-Hant': /\p{Script=Han}/u,
  th: /\p{Script=Thai}/u,
  he: /\p{Script=Hebrew}/u,
  ar: /\p{Script=Arabic}/u,
  hi: /\p{Script=Devanagari}/u,
  ru: /\p{Script=Cyrillic}/u,
  uk: /\p{Script=Cyrillic}/u,
};
const LATIN = /\p{Script=Latin}/u;

interface Entry {
  readonly id: string;
  readonly text: string;
}

/** Reads a GNU .mo catalog (https://www.gnu.org/software/gettext/manual/html_node/MO-Files.html). */
function readMo(path: string): Entry[] {
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
function cleanText(raw: string): string | undefined {
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

function fitsLanguage(language: string, entry: Entry, text: string): boolean {
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
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (const c of text) {
    h ^= c.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function packageOf(path: string): string {
  try {
    return execFileSync('dpkg-query', ['-S', path], { encoding: 'utf8' }).split(':')[0] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

interface Picked {
  readonly language: string;
  readonly locale: string;
  readonly domain: string;
  readonly text: string;
}

function pick(language: string, locales: readonly string[], perLanguage: number): Picked[] {
  const seen = new Set<string>();
  const candidates: Picked[] = [];
  for (const locale of locales) {
    for (const domain of DOMAINS) {
      const path = `/usr/share/locale/${locale}/LC_MESSAGES/${domain}.mo`;
      if (!existsSync(path)) continue;
      for (const entry of readMo(path)) {
        const text = cleanText(entry.text);
        if (text === undefined || text.length < MIN_LENGTH || text.length > MAX_LENGTH) continue;
        if (seen.has(text) || !fitsLanguage(language, entry, text)) continue;
        seen.add(text);
        candidates.push({ language, locale, domain, text });
      }
    }
  }
  candidates.sort((a, b) => hash(`${language}:${a.text}`) - hash(`${language}:${b.text}`));
  const short = candidates.filter((c) => [...c.text].length <= SHORT).slice(0, Math.round(perLanguage * SHORT_SHARE));
  const long = candidates.filter((c) => [...c.text].length > SHORT).slice(0, perLanguage - short.length);
  return [...short, ...long];
}

function render(samples: readonly Picked[], perLanguage: number): string {
  const sources = new Map<string, string>();
  for (const s of samples) {
    const path = `/usr/share/locale/${s.locale}/LC_MESSAGES/${s.domain}.mo`;
    if (!sources.has(s.domain)) sources.set(s.domain, packageOf(path));
  }
  const sourceLines = [...sources.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([domain, pkg]) => ` *   ${pkg}: /usr/share/locale/<locale>/LC_MESSAGES/${domain}.mo`);
  const rows = samples.map(
    (s) =>
      `  { language: ${JSON.stringify(s.language)}, locale: ${JSON.stringify(s.locale)}, domain: ${JSON.stringify(s.domain)}, text: ${JSON.stringify(s.text)} },`,
  );
  return [
    '/**',
    ` * Short real translations for the language detector: ${perLanguage} per routing language, 40 % of`,
    ' * them 15 characters or fewer (the share of the set measured in docs/language.md).',
    ' *',
    ' * Source: the gettext catalogs of Debian packages, as installed on a Debian machine. The',
    " * translations are the work of those projects' translation teams and carry the licences of",
    ' * the packages that ship them: GPL or LGPL for nearly all; Linux-PAM is BSD-3-Clause or GPL,',
    ' * popt is expat (see /usr/share/doc/<package>/copyright). Debian package and catalog of each',
    " * domain below; in a sample, `locale` is the catalog's folder and `domain` its file name:",
    ...sourceLines,
    ' *',
    ' * Accelerators (`_`, `&`, `(_F)`) and a format specifier at either end were stripped;',
    ' * strings with a specifier inside were skipped. Generated by bench/build-language-set.ts;',
    ' * regenerate rather than edit by hand.',
    ' */',
    '',
    '/** One translated text and the routing language it is written in. */',
    'export interface LanguageSample {',
    '  /** Routing tag the detector should return (`zh-Hant`, `nb`, …). */',
    '  readonly language: string;',
    '  /** gettext locale folder the text came from (`zh_TW`, `pt_BR`, …). */',
    '  readonly locale: string;',
    '  /** gettext domain (catalog file name without `.mo`). */',
    '  readonly domain: string;',
    '  readonly text: string;',
    '}',
    '',
    'export const LANGUAGE_SAMPLES: readonly LanguageSample[] = [',
    ...rows,
    '];',
    '',
  ].join('\n');
}

function main(): void {
  const out = process.argv[2] ?? 'tests/fixtures/language/samples.ts';
  const perLanguage = Number(process.argv[3] ?? 20);
  const samples = Object.entries(LOCALES).flatMap(([language, locales]) => pick(language, locales, perLanguage));
  for (const [language] of Object.entries(LOCALES)) {
    const n = samples.filter((s) => s.language === language).length;
    if (n < perLanguage) console.warn(`${language}: only ${n} texts`);
  }
  writeFileSync(out, render(samples, perLanguage));
  console.log(`wrote ${samples.length} texts to ${out}`);
}

main();
