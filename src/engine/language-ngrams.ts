/**
 * A small naive Bayes model of letter n-grams (1 to 4 letters, word edges marked) for Latin and
 * Cyrillic text, trained on the tune part of the evaluation set only (bench/build-language-model.ts
 * writes src/engine/language-ngram-model.json). It knows the close neighbours that eld does not
 * (Nynorsk, Galician, Asturian, Occitan, Afrikaans, Welsh, Irish, Esperanto, Macedonian, Kazakh,
 * Kyrgyz, and Malay apart from Indonesian), and decides among them and eld's close pairs
 * (docs/language.md, "The n-gram model").
 */

/** Longest n-gram, in letters (word edges count as one). */
export const MAX_ORDER = 4;

/**
 * How many n-grams a whole word counts as, in training and in scoring. A word that one language's
 * texts write tells more than the letters it shares with its neighbours ("værktøj", "ikkje");
 * chosen by cross-validation on the tune part (docs/language.md, "The n-gram model").
 */
export const WORD_WEIGHT = 4;

/**
 * Languages of one script that the script rule's letters and marks tell apart, and the n-gram
 * model too: Hindi, Marathi and Nepali in Devanagari; Arabic and Persian in Arabic script.
 */
export const SCRIPT_GROUPS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  [
    ['hi', 'mr', 'ne'],
    ['ar', 'fa'],
  ].flatMap((tags) => tags.map((tag) => [tag, new Set(tags)] as const)),
);

/** The model as stored: languages, and for each n-gram the counts of the languages that write it. */
export interface NgramModelData {
  readonly languages: readonly string[];
  /** Additive smoothing of the counts. */
  readonly alpha: number;
  /**
   * One entry per n-gram, `gram=index:count,index:count…` (indexes into `languages`; `index`
   * alone for a count of 1), entries
   * separated by `;`: n-grams hold only letters and spaces, and these separators need no escape
   * in JSON (a tab and a newline took two bytes each in the stored file).
   */
  readonly grams: string;
}

/** A language's log-likelihood for one text: higher is likelier. */
export type NgramScores = ReadonlyMap<string, number>;

export interface NgramModel {
  readonly languages: readonly string[];
  /** Log-likelihood of `text` (lowercased) for each of `candidates` the model knows; n-grams it has never seen are skipped. */
  score(text: string, candidates: ReadonlySet<string> | undefined): NgramScores;
}

/** The n-grams of a lowercased text: words of letters, each padded with a space at both ends. */
export function ngramsOf(text: string): string[] {
  const grams: string[] = [];
  for (const word of text.toLowerCase().match(/[\p{L}\p{M}]+/gu) ?? []) {
    const padded = [' ', ...word, ' '];
    // The whole word too, when the n-grams do not already hold it: a word tells more than its letters.
    if (padded.length > MAX_ORDER) for (let k = 0; k < WORD_WEIGHT; k += 1) grams.push(padded.join(''));
    for (let start = 0; start < padded.length; start += 1) {
      let gram = '';
      for (let n = 0; n < MAX_ORDER && start + n < padded.length; n += 1) {
        gram += padded[start + n];
        if (gram !== ' ') grams.push(gram);
      }
    }
  }
  return grams;
}

/** How a model's table is pruned when it is trained (bench/build-language-model.ts). */
export interface NgramPruning {
  /** N-grams counted fewer times (over all languages) are dropped. */
  readonly minCount: number;
  /**
   * Largest size of the stored table, in UTF-8 bytes: the n-grams that tell the languages of
   * their script apart best (below) are kept until it is full. Unlimited unless given.
   */
  readonly maxBytes?: number;
}

/** Languages compared with each other: the n-gram model only ever weighs languages of one script. */
const SCRIPT_OF_LANGUAGE: Readonly<Record<string, string>> = {
  be: 'cyrl',
  bg: 'cyrl',
  kk: 'cyrl',
  ky: 'cyrl',
  mk: 'cyrl',
  ru: 'cyrl',
  sr: 'cyrl',
  tg: 'cyrl',
  uk: 'cyrl',
  hi: 'deva',
  mr: 'deva',
  ne: 'deva',
  ar: 'arab',
  fa: 'arab',
  ur: 'arab',
};

/**
 * How much an n-gram tells the languages of each script apart: over each script's languages,
 * the count-weighted log-ratio of how often each writes it against the script as a whole
 * (the n-gram's share of the mutual information between n-gram and language).
 */
function information(
  row: ReadonlyMap<number, number>,
  totals: Float64Array,
  groupOf: readonly string[],
  groupTotals: ReadonlyMap<string, number>,
): number {
  const inGroup = new Map<string, number>();
  for (const [i, c] of row) inGroup.set(groupOf[i] ?? '', (inGroup.get(groupOf[i] ?? '') ?? 0) + c);
  let info = 0;
  for (const [i, c] of row) {
    const group = groupOf[i] ?? '';
    info += c * Math.log(c / (totals[i] ?? 1) / ((inGroup.get(group) ?? 1) / (groupTotals.get(group) ?? 1)));
  }
  return info;
}

/** Bytes of `text` in UTF-8 (as the table is stored). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let k = 0; k < text.length; k += 1) {
    const code = text.charCodeAt(k);
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code >= 0xd800 && code < 0xe000 ? 2 : 3;
  }
  return bytes;
}

/** Counts per language from labelled texts (for the build script and for cross-validation). */
export function trainNgramModel(
  texts: readonly { language: string; text: string }[],
  alpha: number,
  pruning: NgramPruning = { minCount: 1 },
): NgramModelData {
  const languages = [...new Set(texts.map((t) => t.language))].sort();
  const index = new Map(languages.map((language, i) => [language, i]));
  // Sparse counts: most n-grams are written by a few languages.
  const counts = new Map<string, Map<number, number>>();
  const totals = new Float64Array(languages.length);
  for (const { language, text } of texts) {
    const i = index.get(language) ?? 0;
    for (const gram of ngramsOf(text)) {
      let row = counts.get(gram);
      if (row === undefined) {
        row = new Map();
        counts.set(gram, row);
      }
      row.set(i, (row.get(i) ?? 0) + 1);
      totals[i] = (totals[i] ?? 0) + 1;
    }
  }
  const groupOf = languages.map((language) => SCRIPT_OF_LANGUAGE[language] ?? 'latn');
  const groupTotals = new Map<string, number>();
  groupOf.forEach((group, i) => {
    groupTotals.set(group, (groupTotals.get(group) ?? 0) + (totals[i] ?? 0));
  });
  const entries: { gram: string; line: string; info: number }[] = [];
  for (const [gram, row] of counts) {
    let sum = 0;
    for (const c of row.values()) sum += c;
    if (sum < pruning.minCount) continue;
    const cells = [...row].sort((a, b) => a[0] - b[0]).map(([i, c]) => (c === 1 ? `${i}` : `${i}:${c}`));
    entries.push({ gram, line: `${gram}=${cells.join(',')}`, info: information(row, totals, groupOf, groupTotals) });
  }
  const byGram = (a: { gram: string }, b: { gram: string }) => (a.gram < b.gram ? -1 : a.gram > b.gram ? 1 : 0);
  let kept = entries;
  if (pruning.maxBytes !== undefined) {
    kept = [];
    let size = 0;
    for (const entry of entries.sort((a, b) => b.info - a.info || byGram(a, b))) {
      const bytes = utf8Length(entry.line) + 1;
      if (size + bytes > pruning.maxBytes) continue;
      size += bytes;
      kept.push(entry);
    }
  }
  return {
    languages,
    alpha,
    grams: kept
      .sort(byGram)
      .map((e) => e.line)
      .join(';'),
  };
}

/** Parses stored counts into a model that scores texts. */
export function loadNgramModel(data: NgramModelData): NgramModel {
  const { languages, alpha } = data;
  const width = languages.length;
  const grams = data.grams;
  // Read in place (no split): the table is large, and a process's memory keeps its peak.
  let lineCount = 0;
  let cells = 0;
  for (let at = 0; at < grams.length; at += 1) {
    const code = grams.charCodeAt(at);
    if (code === 61) {
      lineCount += 1;
      cells += 1;
    } else if (code === 44) cells += 1;
  }
  const starts = new Uint32Array(lineCount + 1);
  const who = new Uint8Array(cells);
  const logs = new Float32Array(cells);
  const rows = new Map<string, number>();
  const totals = new Float64Array(width);
  let cell = 0;
  for (let at = 0; at < grams.length; ) {
    const tab = grams.indexOf('=', at);
    if (tab < 0) break;
    let end = grams.indexOf(';', tab);
    if (end < 0) end = grams.length;
    starts[rows.size] = cell;
    rows.set(grams.slice(at, tab), rows.size);
    let number = 0;
    let language = 0;
    let counted = false;
    for (let k = tab + 1; k <= end; k += 1) {
      const code = k === end ? 44 : grams.charCodeAt(k);
      if (code === 58) {
        language = number;
        number = 0;
        counted = true;
      } else if (code === 44) {
        // `index` alone is a count of 1.
        if (!counted) {
          language = number;
          number = 1;
        }
        counted = false;
        who[cell] = language;
        logs[cell] = number;
        totals[language] = (totals[language] ?? 0) + number;
        cell += 1;
        number = 0;
      } else number = number * 10 + (code - 48);
    }
    at = end + 1;
  }
  starts[rows.size] = cell;
  // log P(gram | language) = log((count + alpha) / (total + alpha · vocabulary)), stored as the
  // difference from the unseen one.
  const unseen = Float64Array.from(totals, (total) => Math.log(alpha) - Math.log(total + alpha * rows.size));
  for (let k = 0; k < cells; k += 1) logs[k] = Math.log(((logs[k] ?? 0) + alpha) / alpha);
  return {
    languages,
    score(text, candidates) {
      const picked = new Uint8Array(width);
      languages.forEach((language, i) => {
        picked[i] = candidates === undefined || candidates.has(language) ? 1 : 0;
      });
      const sums = new Float64Array(width);
      let seen = 0;
      for (const gram of ngramsOf(text)) {
        const row = rows.get(gram);
        if (row === undefined) continue;
        seen += 1;
        for (let k = starts[row] ?? 0; k < (starts[row + 1] ?? 0); k += 1) {
          const i = who[k] ?? 0;
          sums[i] = (sums[i] ?? 0) + (logs[k] ?? 0);
        }
      }
      const scores = new Map<string, number>();
      languages.forEach((language, i) => {
        if (picked[i] === 1) scores.set(language, (sums[i] ?? 0) + seen * (unseen[i] ?? 0));
      });
      return scores;
    },
  };
}
