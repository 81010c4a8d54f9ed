/**
 * `threadline detect` (and `npm run detect`): the language the service would detect for each
 * text, one line per text on standard output: the routing tag (`ko`, `zh-Hant`, `nb`, …) or
 * `unsure`, nothing else. Texts come as arguments, or one per line on standard input. It runs
 * the detector the service runs (src/engine/language.ts); docs/language.md says how it decides.
 *
 *   threadline detect [--routed ko,ja,en,…] [--database small] [text …]
 *
 * `--routed` is the languages with a route (default: every language the detector can name, so
 * the answer is simply what the text is written in); `--database` the eld database (default
 * `small`, as the service's LANGUAGE_DATABASE). Errors go to standard error.
 */
import { LANGUAGE_DATABASES, type LanguageDatabase } from './config.ts';
import { createLanguageDetector, DETECTABLE_LANGUAGES, normalizeLanguageTag } from './engine/language.ts';

const USAGE = [
  'Usage: threadline detect [--routed <tags>] [--database <size>] [text …]',
  '  Prints one line per text: its routing tag (ko, zh-Hant, nb, …) or "unsure".',
  '  Texts are the arguments, or the lines of standard input when there are none.',
  '  --routed ko,ja,en   the routed languages (default: every language the detector can name)',
  `  --database <size>   eld database: ${LANGUAGE_DATABASES.join(', ')} (default small)`,
  `  Languages it names: ${DETECTABLE_LANGUAGES.join(' ')}`,
].join('\n');

/** Where the command reads and writes; the process's streams in `threadline detect`. */
export interface DetectIo {
  /** Standard input, read only when no text is given as an argument. */
  readonly readInput: () => Promise<string>;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

interface Options {
  readonly routed: readonly string[];
  readonly database: LanguageDatabase;
  readonly texts: readonly string[];
}

/** Thrown for a command line that cannot run: the message goes to standard error with the usage. */
class UsageError extends Error {}

function parse(args: readonly string[]): Options {
  let routed: readonly string[] = DETECTABLE_LANGUAGES;
  let database: LanguageDatabase = 'small';
  const texts: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    const [name, inline] = arg.startsWith('--') ? (arg.split(/=(.*)/s, 2) as [string, string | undefined]) : [arg, undefined];
    if (name === '--') {
      texts.push(...args.slice(i + 1));
      break;
    }
    if (name !== '--routed' && name !== '--database') {
      if (arg.startsWith('--')) throw new UsageError(`Unknown option ${arg}`);
      texts.push(arg);
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
    if (name === '--database') {
      const found = LANGUAGE_DATABASES.find((d) => d === value);
      if (found === undefined) throw new UsageError(`Unknown database ${value}: use one of ${LANGUAGE_DATABASES.join(', ')}`);
      database = found;
    } else {
      const tags = value.split(',').map((tag) => tag.trim());
      const bad = tags.filter((tag) => normalizeLanguageTag(tag) === undefined);
      if (bad.length > 0) throw new UsageError(`Not a language tag: ${bad.join(', ')}`);
      routed = tags.map((tag) => normalizeLanguageTag(tag) ?? tag);
    }
  }
  return { routed, database, texts };
}

/** The lines of standard input, without the empty one after a final newline. */
function linesOf(input: string): string[] {
  const lines = input.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Runs `threadline detect <args…>`; resolves with the exit code: 0 done, 1 failed, 2 bad command line. */
export async function runDetectCommand(args: readonly string[], io: DetectIo): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) {
    io.out(USAGE);
    return 0;
  }
  let options: Options;
  try {
    options = parse(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  // A tag the detector never answers (a typo such as `jp` for `ja`) routes nothing: say so, and go on.
  const unknown = options.routed.filter((tag) => !DETECTABLE_LANGUAGES.includes(tag));
  if (unknown.length > 0)
    io.err(
      `threadline detect: no text is ever detected as ${unknown.join(', ')}, so ${unknown.length === 1 ? 'that route changes' : 'those routes change'} nothing here (the detectable languages are listed by threadline detect --help)`,
    );
  try {
    const texts = options.texts.length > 0 ? options.texts : linesOf(await io.readInput());
    const detector = await createLanguageDetector({ database: options.database });
    for (const text of texts) io.out(detector.detect(text, options.routed) ?? 'unsure');
    return 0;
  } catch (error) {
    io.err(`threadline detect: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

/** Standard input as text (what `threadline detect` reads when given no text). */
export async function readStandardInput(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
