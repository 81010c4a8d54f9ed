/**
 * The baseline for bench/language.ts: franc 6.2 (trigram detector, trained on the Universal
 * Declaration of Human Rights) restricted with `only` to the routed languages, `minLength` 1 so
 * it answers short texts too. franc names Chinese `cmn` without a script, so its Chinese answers
 * are read as `zh-Hans`; `und` is "unsure".
 * @see https://github.com/wooorm/franc/tree/main/packages/franc#api
 */
import { franc } from 'franc';

/** Routing tag → franc's ISO 639-3 code. */
const TO_FRANC: Readonly<Record<string, string>> = {
  en: 'eng',
  ko: 'kor',
  ja: 'jpn',
  'zh-Hans': 'cmn',
  'zh-Hant': 'cmn',
  th: 'tha',
  he: 'heb',
  ar: 'arb',
  hi: 'hin',
  ru: 'rus',
  uk: 'ukr',
  de: 'deu',
  fr: 'fra',
  es: 'spa',
  pt: 'por',
  it: 'ita',
  nl: 'nld',
  nb: 'nob',
  sv: 'swe',
  da: 'dan',
  fi: 'fin',
  pl: 'pol',
  tr: 'tur',
  vi: 'vie',
  id: 'ind',
};

/** A detector function like ours: franc among `routed`, answering a routing tag or undefined. */
export function francAmong(routed: readonly string[]): (text: string) => string | undefined {
  const only = [...new Set(routed.flatMap((tag) => TO_FRANC[tag] ?? []))];
  const back = new Map<string, string>();
  for (const tag of routed) {
    const code = TO_FRANC[tag];
    if (code !== undefined && !back.has(code)) back.set(code, code === 'cmn' ? 'zh-Hans' : tag);
  }
  return (text) => back.get(franc(text, { only, minLength: 1 }));
}
