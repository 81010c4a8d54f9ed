/**
 * Flag reactions → languages, to move a conversation to another language's channel. Slack names a
 * flag emoji `flag-<ISO 3166 alpha-2 code>` (`flag-kr`, `flag-tw`, `flag-de`); the ten flags of the
 * original set also have a short name (`kr`, `jp`, `de`, `cn`, `us`, `fr`, `es`, `it`, `ru`,
 * `gb`/`uk`). Slack's names are those of iamcal/emoji-data (emoji.json, `short_names`).
 * @see https://github.com/iamcal/emoji-data
 */

/** Country code (lower case) → the language a customer from there is most likely best answered in. */
export const COUNTRY_LANGUAGES: Readonly<Record<string, string>> = Object.freeze({
  kr: 'ko',
  jp: 'ja',
  tw: 'zh-Hant',
  hk: 'zh-Hant',
  mo: 'zh-Hant',
  cn: 'zh-Hans',
  sg: 'zh-Hans',
  de: 'de',
  at: 'de',
  fr: 'fr',
  be: 'fr',
  es: 'es',
  mx: 'es',
  ar: 'es',
  co: 'es',
  cl: 'es',
  pe: 'es',
  pt: 'pt',
  br: 'pt',
  it: 'it',
  nl: 'nl',
  ru: 'ru',
  ua: 'uk',
  pl: 'pl',
  cz: 'cs',
  se: 'sv',
  no: 'nb',
  dk: 'da',
  fi: 'fi',
  gr: 'el',
  tr: 'tr',
  il: 'he',
  sa: 'ar',
  ae: 'ar',
  eg: 'ar',
  in: 'hi',
  th: 'th',
  vn: 'vi',
  id: 'id',
  my: 'ms',
  ph: 'en',
  us: 'en',
  gb: 'en',
  ie: 'en',
  au: 'en',
  nz: 'en',
  ca: 'en',
});

/** The short names Slack gives some flags besides `flag-xx`. */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  kr: 'kr',
  jp: 'jp',
  de: 'de',
  cn: 'cn',
  us: 'us',
  fr: 'fr',
  es: 'es',
  it: 'it',
  ru: 'ru',
  gb: 'gb',
  uk: 'gb',
};

/** The languages the parent's "Move to language" menu offers. */
export const MENU_LANGUAGES: readonly string[] = [...new Set(Object.values(COUNTRY_LANGUAGES))];

/** The language a flag reaction (`flag-kr`, `kr`, `:flag-tw:`) stands for, or undefined for any other reaction. */
export function languageForFlag(reaction: string): string | undefined {
  const name = reaction.replace(/^:|:$/g, '').toLowerCase();
  const country = name.startsWith('flag-') ? name.slice('flag-'.length) : SHORT_NAMES[name];
  return country === undefined ? undefined : COUNTRY_LANGUAGES[country];
}
