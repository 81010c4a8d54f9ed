/**
 * Builds the evaluation set, tests/fixtures/language/evaluation-set.tsv: real translated texts
 * from the gettext catalogs that Debian packages install, for the 25 routing languages (400
 * each) and 30 close neighbours that nobody routes (200 each), 40 % of each language's texts
 * 15 characters or fewer. Each text is put, by a hash of its language and text, into the `tune`
 * part (thresholds and rules are chosen on it) or the `report` part (docs/language.md and
 * `npm run bench` report on it only).
 *
 * Run: npx tsx bench/build-language-eval.ts [output path]
 *
 * Deterministic for a given set of installed catalogs. The catalogs used are those of the
 * packages listed in the file's header (`dpkg-query -S` of each catalog); on Debian 12 they come
 * with the base system plus `apt-get install` of the packages named there (docs/language.md,
 * "Reproducing the numbers").
 */
import { writeFileSync } from 'node:fs';
import { candidates, catalogPath, domainsOf, type Picked, packageOf, pickShortAndLong, ROUTING_LOCALES } from './language-catalogs.ts';

/**
 * Close neighbours of the routing languages, which a deployment routing all 25 still does not
 * route: each should be named as itself or left unsure, never sent to a routed team's channel.
 * The catalog folder is the language tag for all of them.
 */
const NEIGHBOURS = [
  'ca',
  'gl',
  'ast',
  'oc',
  'eu', // Spanish, Portuguese, French
  'nn',
  'is', // Norwegian, Danish, Swedish
  'af',
  'cy',
  'ga',
  'eo', // Dutch, English
  'ms', // Indonesian
  'fa', // Arabic script
  'mr',
  'ne', // Devanagari
  'bg',
  'mk',
  'sr',
  'be',
  'kk',
  'ky', // Cyrillic
  'cs',
  'sk',
  'hr',
  'sl', // Polish
  'et',
  'hu', // Finnish
  'lt',
  'lv',
  'ro', // and the rest of the Latin languages eld knows
] as const;

const ROUTING_COUNT = 400;
const NEIGHBOUR_COUNT = 200;
const SHORT_SHARE = 0.4;

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (const c of text) {
    h ^= c.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** `tune` or `report`, half each, by a hash that does not depend on the pick order. */
const partOf = (s: Picked): 'tune' | 'report' => (hash(`part:${s.language}:${s.text}`) % 2 === 0 ? 'tune' : 'report');

function main(): void {
  const out = process.argv[2] ?? 'tests/fixtures/language/evaluation-set.tsv';
  const languages: [string, readonly string[], number][] = [
    ...Object.entries(ROUTING_LOCALES).map(
      ([language, locales]) => [language, locales, ROUTING_COUNT] as [string, readonly string[], number],
    ),
    ...NEIGHBOURS.map((language) => [language, [language], NEIGHBOUR_COUNT] as [string, readonly string[], number]),
  ];
  const samples: Picked[] = [];
  // Every usable text of every language of the set, to find the texts that several languages'
  // catalogs hold word for word ("Kommentar" is Danish, Norwegian, Swedish and German).
  const writtenBy = new Map<string, Set<string>>();
  for (const [language, locales, count] of languages) {
    const found = candidates(language, locales, domainsOf(locales));
    for (const { text } of found) {
      const owners = writtenBy.get(text) ?? new Set<string>();
      owners.add(language);
      writtenBy.set(text, owners);
    }
    const picked = pickShortAndLong(found, count, SHORT_SHARE);
    if (picked.length < count) console.warn(`${language}: only ${picked.length} texts`);
    samples.push(...picked);
  }
  const alsoOf = (s: Picked): string =>
    [...(writtenBy.get(s.text) ?? [])]
      .filter((language) => language !== s.language)
      .sort()
      .join(',');
  const packages = new Map<string, string>();
  for (const s of samples) if (!packages.has(s.domain)) packages.set(s.domain, packageOf(catalogPath(s.locale, s.domain)));
  const header = [
    'Evaluation set for the language detector, built by bench/build-language-eval.ts; regenerate rather than edit.',
    `${samples.length} real translations: 25 routing languages × ${ROUTING_COUNT} and ${NEIGHBOURS.length} unrouted neighbours × ${NEIGHBOUR_COUNT},`,
    `${SHORT_SHARE * 100} % of each language's texts ${15} characters or fewer. Columns: language, part (tune|report), gettext domain, text,`,
    'and the other languages of the set whose catalogs hold the same text word for word (docs/language.md, "Texts that several languages write").',
    'Source: the gettext catalogs of Debian packages (/usr/share/locale/<locale>/LC_MESSAGES/<domain>.mo).',
    "The translations are the work of those projects' translation teams and carry the licences of the",
    'packages that ship them (GPL or LGPL for nearly all; see /usr/share/doc/<package>/copyright).',
    'Accelerators and a format specifier at either end were stripped; strings with one inside were skipped.',
    'Domain → Debian package:',
    ...[...packages.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([domain, pkg]) => `  ${domain} → ${pkg}`),
  ].map((line) => `# ${line}`);
  const rows = samples.map((s) => [s.language, partOf(s), s.domain, s.text, alsoOf(s)].join('\t'));
  writeFileSync(out, `${[...header, ...rows].join('\n')}\n`);
  console.log(`wrote ${samples.length} texts to ${out}`);
}

main();
