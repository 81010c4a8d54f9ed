/**
 * The language hint of a WhatsApp number: its country, found by libphonenumber-js (Google's
 * libphonenumber metadata), then the language most of that country's customers write. Only a
 * hint: the engine uses it when the text is too short to tell, never over a text that can.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * ISO 3166-1 country → routing language (BCP 47). Countries with several widely used languages
 * (Switzerland, Belgium, India, Singapore, Canada…) are left out: no hint beats a wrong one.
 */
const LANGUAGE_OF_COUNTRY: Readonly<Record<string, string>> = {
  KR: 'ko',
  JP: 'ja',
  TW: 'zh-Hant',
  HK: 'zh-Hant',
  MO: 'zh-Hant',
  CN: 'zh-Hans',
  TH: 'th',
  VN: 'vi',
  ID: 'id',
  MY: 'ms',
  PH: 'en',
  IL: 'he',
  SA: 'ar',
  AE: 'ar',
  EG: 'ar',
  JO: 'ar',
  KW: 'ar',
  QA: 'ar',
  BH: 'ar',
  OM: 'ar',
  IQ: 'ar',
  MA: 'ar',
  DZ: 'ar',
  TN: 'ar',
  TR: 'tr',
  IR: 'fa',
  RU: 'ru',
  UA: 'uk',
  BY: 'ru',
  KZ: 'ru',
  PL: 'pl',
  CZ: 'cs',
  SK: 'sk',
  HU: 'hu',
  RO: 'ro',
  BG: 'bg',
  GR: 'el',
  DE: 'de',
  AT: 'de',
  FR: 'fr',
  IT: 'it',
  ES: 'es',
  PT: 'pt',
  NL: 'nl',
  DK: 'da',
  SE: 'sv',
  NO: 'nb',
  FI: 'fi',
  IS: 'is',
  HR: 'hr',
  RS: 'sr',
  SI: 'sl',
  LT: 'lt',
  LV: 'lv',
  EE: 'et',
  GB: 'en',
  IE: 'en',
  US: 'en',
  AU: 'en',
  NZ: 'en',
  MX: 'es',
  AR: 'es',
  CO: 'es',
  CL: 'es',
  PE: 'es',
  VE: 'es',
  EC: 'es',
  GT: 'es',
  CU: 'es',
  BO: 'es',
  DO: 'es',
  HN: 'es',
  PY: 'es',
  SV: 'es',
  NI: 'es',
  CR: 'es',
  PA: 'es',
  UY: 'es',
  BR: 'pt',
  AO: 'pt',
  MZ: 'pt',
};

/** `+<digits>` in E.164 for a WhatsApp number (`wa_id` has no `+`; a Business app echo has one), or undefined. */
export function toE164(phone: string): string | undefined {
  const digits = phone.replace(/[\s().-]/g, '');
  const parsed = parsePhoneNumberFromString(digits.startsWith('+') ? digits : `+${digits}`);
  return parsed?.number;
}

/** The language hint of a number (`886912345678` → `zh-Hant`), or undefined when its country has none. */
export function languageOfPhone(phone: string): string | undefined {
  const digits = phone.replace(/[\s().-]/g, '');
  const country = parsePhoneNumberFromString(digits.startsWith('+') ? digits : `+${digits}`)?.country;
  return country === undefined ? undefined : LANGUAGE_OF_COUNTRY[country];
}
