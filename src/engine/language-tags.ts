/**
 * Language tags as Threadline routes them: a lowercase primary subtag (`en`, `ko`, `nb`), except
 * Chinese, which is routed by script (`zh-Hans`, `zh-Hant`) because a Taiwanese customer served
 * in Simplified characters notices at once.
 */

/**
 * Deprecated or macrolanguage codes that platforms still send, mapped to the tag the detector
 * returns: Java-era `in`/`iw`/`ji` (Android still reports them) and `no`, which Telegram and
 * iOS use for Bokmål.
 * @see https://www.rfc-editor.org/rfc/rfc5646#section-2.2.1
 */
const ALIASES: Readonly<Record<string, string>> = { in: 'id', iw: 'he', ji: 'yi', no: 'nb' };

/** Regions whose Chinese is written in Traditional characters. */
const TRADITIONAL_REGIONS: ReadonlySet<string> = new Set(['tw', 'hk', 'mo']);

/** BCP 47 "no language" codes: undetermined, no linguistic content, multiple, uncoded. */
const NO_LANGUAGE: ReadonlySet<string> = new Set(['und', 'zxx', 'mul', 'mis']);

const WELL_FORMED = /^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$/;

/**
 * Turns a platform's language tag into a routing tag, or undefined when it names no language.
 * `zh`, `zh-cn`, `zh-sg`, `zh-hans` → `zh-Hans`; `zh-tw`, `zh-hk`, `zh-mo`, `zh-hant` →
 * `zh-Hant`; `no`, `nb-no` → `nb`; `in` → `id`; `iw` → `he`; anything else well formed → its
 * primary subtag in lowercase (`pt-BR` → `pt`, `en_US` → `en`).
 * @see https://core.telegram.org/bots/api#user (`language_code` is an IETF language tag)
 */
export function normalizeLanguageTag(tag: string): string | undefined {
  const lower = tag.trim().toLowerCase().replaceAll('_', '-');
  if (lower.length > 35 || !WELL_FORMED.test(lower)) return undefined;
  const [primary = '', ...rest] = lower.split('-');
  if (NO_LANGUAGE.has(primary)) return undefined;
  if (primary === 'zh') {
    const traditional = rest.includes('hant') || (!rest.includes('hans') && rest.some((s) => TRADITIONAL_REGIONS.has(s)));
    return traditional ? 'zh-Hant' : 'zh-Hans';
  }
  return ALIASES[primary] ?? primary;
}

/** CLDR says "Norwegian Bokmål"; agents know the channel as Norwegian. */
const NAME_OVERRIDES: Readonly<Record<string, string>> = { nb: 'Norwegian' };

const displayNames = new Intl.DisplayNames(['en'], { type: 'language', languageDisplay: 'standard', fallback: 'code' });

/**
 * English display name of a routing tag ("Korean", "Chinese (Traditional)"); the tag itself when
 * it is unknown. Names come from the CLDR data built into Node, which always covers English.
 */
export function languageName(tag: string): string {
  const override = NAME_OVERRIDES[tag];
  if (override !== undefined) return override;
  try {
    return displayNames.of(tag) ?? tag;
  } catch {
    // Intl throws RangeError for a tag that is not well formed; show it as it came.
    return tag;
  }
}
