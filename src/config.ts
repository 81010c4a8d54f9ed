/**
 * Threadline's core settings, read once at start-up from the environment and a `.env` file.
 *
 * zod validates them: it is small, its parse result is typed without a second declaration, and every
 * issue carries the path (here: the variable name) that the one-line error message needs. Platform
 * variables are not validated here: each adapter's `readConfig(config.env)` owns its own.
 * This is the only module (with src/main.ts) that reads `process.env`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { ConfigError } from './errors.ts';
import { parseRedisUrl, redisPassword } from './store/redis-url.ts';

/** Environment variables as the process (or a test) provides them. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Sizes of eld's language database; larger is more accurate on short texts and uses more memory. */
export const LANGUAGE_DATABASES = ['extrasmall', 'small', 'medium', 'large'] as const;
/** One of `LANGUAGE_DATABASES`. */
export type LanguageDatabase = (typeof LANGUAGE_DATABASES)[number];

/** pino's levels, plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** One of `LOG_LEVELS`; accepted by `createLogger`. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** How log lines are written: `json` (one pino JSON object a line, for machines) or `pretty` (pino-pretty, for people). */
export const LOG_FORMATS = ['json', 'pretty'] as const;
/** One of `LOG_FORMATS`. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Slack connection settings shared by both transports. */
interface SlackBase {
  /** Bot token (`xoxb-`). */
  readonly botToken: string;
  /** Web API base URL, always ending with `/`. */
  readonly apiUrl: string;
}

/** Socket Mode: Slack is reached over a WebSocket; no public URL is needed. Chosen whenever an app token is set. */
export interface SlackSocketConfig extends SlackBase {
  readonly mode: 'socket';
  readonly appToken: string;
  readonly signingSecret?: string;
}

/** HTTP mode: Slack posts events, commands and interactivity to `POST /slack/events`, signed with the secret. */
export interface SlackHttpConfig extends SlackBase {
  readonly mode: 'http';
  readonly signingSecret: string;
  readonly appToken?: undefined;
}

/** How Threadline talks to Slack; narrow on `mode` to get the transport's credential as a string. */
export type SlackConfig = SlackSocketConfig | SlackHttpConfig;

/** The validated, deeply frozen configuration passed down by constructors. */
export interface Config {
  readonly slack: SlackConfig;
  /**
   * Slack posts per second per Slack channel (default 1, Slack's documented limit; short bursts are
   * allowed either way). An advanced setting: Slack answers more with 429s, which are honoured.
   */
  readonly slackPostsPerSecond: number;
  /** HTTP server port (0 picks a free port). */
  readonly port: number;
  /**
   * METRICS_TOKEN: when set, `/metrics` needs `Authorization: Bearer <token>` and `/healthz` shows its
   * details only with it (the status code and `{ status }` to anyone). Undefined: both are public.
   */
  readonly metricsToken?: string;
  /**
   * PUBLIC_URL: the address where this service is reached from the internet (no trailing slash).
   * With it, files for platforms that take them only as links are served at `<publicUrl>/files/<id>`.
   */
  readonly publicUrl?: string;
  /** `redis://`/`rediss://` URL, or `redis+cluster://`/`rediss+cluster://` for a Redis Cluster; undefined means the embedded store in `dataDir`. */
  readonly storeUrl?: string;
  readonly dataDir: string;
  /** Slack channel id for languages without a route. */
  readonly defaultChannel: string;
  /** Slack user ids who may change settings, besides workspace admins and owners. */
  readonly adminUsers: readonly string[];
  /** A thread reply starting with this stays internal. */
  readonly notePrefix: string;
  readonly languageDatabase: LanguageDatabase;
  readonly logLevel: LogLevel;
  /** `LOG_FORMAT`; when unset, `pretty` if standard output is a terminal and `json` otherwise. */
  readonly logFormat: LogFormat;
  /** The merged environment (`.env` below the real one; blank values dropped), for each adapter's `readConfig`. */
  readonly env: Readonly<Record<string, string>>;
}

/** Slack's Web API base URL, used when `SLACK_API_URL` is unset. */
export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';
/** Slack posts per second per channel when `SLACK_POSTS_PER_SECOND` is unset: "generally 1 per second". */
export const DEFAULT_SLACK_POSTS_PER_SECOND = 1;
/** The HTTP port when `PORT` is unset. */
export const DEFAULT_PORT = 3000;

const CHANNEL_HOWTO = 'open the channel, click its name for the channel details, and copy the Channel ID at the bottom of the About tab';
const MESSAGES = {
  botTokenMissing: "is required: the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page",
  botTokenPrefix: 'must start with xoxb-',
  appTokenPrefix: 'must start with xapp- (an app-level token with connections:write, from Basic Information → App-Level Tokens)',
  noTransport:
    'set SLACK_APP_TOKEN (Socket Mode: an xapp- app-level token with connections:write) or SLACK_SIGNING_SECRET (HTTP mode at POST /slack/events)',
  apiUrl: `must be an http(s) URL such as ${DEFAULT_SLACK_API_URL}`,
  postsPerSecond: 'must be a positive number such as 1 (Slack allows about one message per second per channel)',
  port: 'must be an integer from 0 to 65535',
  metricsToken: 'must be at least 16 characters of A-Z a-z 0-9 - . _ ~ + / = (for example the output of openssl rand -hex 32)',
  storeUrl:
    'must be a redis:// or rediss:// URL, redis+cluster://host:port,host:port for a Redis Cluster, or unset to use the embedded store in DATA_DIR',
  publicUrl:
    'must be the http(s) address where this service is reached from the internet, such as https://threadline.example.com (no query, no #fragment)',
  channelMissing: `is required: the id of the Slack channel for languages without a route, like C0123456789 (${CHANNEL_HOWTO})`,
  channel: `must be a Slack channel id like C0123456789, not a name (${CHANNEL_HOWTO})`,
  adminUsers: (bad: string) =>
    `must be a comma-separated list of Slack user ids like U0123456789, and "${bad}" is not one ` +
    "(open the person's profile, click ⋯ and choose Copy member ID)",
  oneOf: (values: readonly string[]) => `must be one of ${values.join(', ')}`,
} as const;

const SLACK_CHANNEL_ID = /^[CG][A-Z0-9]{8,}$/;
const SLACK_USER_ID = /^[UW][A-Z0-9]{8,}$/;

const isHttpUrl = (value: string): boolean => /^https?:$/.test(URL.parse(value)?.protocol ?? '');
/** An http(s) base address: links are built by appending a path, so it has no query and no fragment. */
const isPublicBase = (value: string): boolean => {
  const url = URL.parse(value);
  return url !== null && /^https?:$/.test(url.protocol) && !value.includes('?') && !value.includes('#');
};
const isRedisUrl = (value: string): boolean => parseRedisUrl(value) !== undefined;

// One entry per core variable; the key order is the order in which problems are reported.
const schema = z.object({
  SLACK_BOT_TOKEN: z.string({ error: MESSAGES.botTokenMissing }).startsWith('xoxb-', { error: MESSAGES.botTokenPrefix }),
  SLACK_APP_TOKEN: z.string().startsWith('xapp-', { error: MESSAGES.appTokenPrefix }).optional(),
  SLACK_SIGNING_SECRET: z.string().optional(),
  SLACK_API_URL: z
    .string()
    .refine(isHttpUrl, { error: MESSAGES.apiUrl })
    .transform((url) => (url.endsWith('/') ? url : `${url}/`))
    .default(DEFAULT_SLACK_API_URL),
  SLACK_POSTS_PER_SECOND: z
    .string()
    .refine((rate) => /^\d*\.?\d+$/.test(rate) && Number(rate) > 0, { error: MESSAGES.postsPerSecond })
    .transform(Number)
    .default(DEFAULT_SLACK_POSTS_PER_SECOND),
  PORT: z
    .string()
    .refine((port) => /^\d{1,5}$/.test(port) && Number(port) <= 65535, { error: MESSAGES.port })
    .transform(Number)
    .default(DEFAULT_PORT),
  // A bearer token (RFC 6750 token68 characters), long enough not to be guessed.
  METRICS_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9\-._~+/]{16,}=*$/, { error: MESSAGES.metricsToken })
    .optional(),
  PUBLIC_URL: z
    .string()
    .refine(isPublicBase, { error: MESSAGES.publicUrl })
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  STORE_URL: z.string().refine(isRedisUrl, { error: MESSAGES.storeUrl }).optional(),
  DATA_DIR: z.string().default('./data'),
  DEFAULT_CHANNEL: z.string({ error: MESSAGES.channelMissing }).regex(SLACK_CHANNEL_ID, { error: MESSAGES.channel }),
  ADMIN_USERS: z
    .string()
    .transform((list, ctx) => {
      const ids = list
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== '');
      const bad = ids.find((id) => !SLACK_USER_ID.test(id));
      if (bad !== undefined) ctx.addIssue({ code: 'custom', message: MESSAGES.adminUsers(bad) });
      return ids;
    })
    .default([]),
  NOTE_PREFIX: z.string().default('note:'),
  LANGUAGE_DATABASE: z.enum(LANGUAGE_DATABASES, { error: MESSAGES.oneOf(LANGUAGE_DATABASES) }).default('small'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: MESSAGES.oneOf(LOG_LEVELS) }).default('info'),
  // No default here: it depends on whether standard output is a terminal (see loadConfig).
  LOG_FORMAT: z.enum(LOG_FORMATS, { error: MESSAGES.oneOf(LOG_FORMATS) }).optional(),
});

type CoreVariable = keyof typeof schema.shape;
const CORE_VARIABLES = Object.keys(schema.shape) as CoreVariable[];

/**
 * One problem. `text` follows "Invalid configuration: "; `label` names it in the list of further
 * problems, under "missing" (a required setting is unset) or "invalid" (a setting is set and wrong).
 */
interface Issue {
  readonly variable: string;
  readonly text: string;
  readonly label: string;
  readonly missing: boolean;
}

/**
 * Reads and validates the core settings. Guarantees a deeply frozen `Config`, or throws one `ConfigError`
 * whose message is a single line naming the (first) bad variable, e.g.
 * `Invalid configuration: SLACK_BOT_TOKEN must start with xoxb-`. Further problems follow on the
 * same line, each named as missing (required and unset) or invalid (set and wrong); an optional
 * setting that is simply unset is never named.
 *
 * `.env` (or `options.envFile`) is read when it exists; a variable already set in `env` wins over the file.
 * Neither `env` nor `process.env` is modified. Blank values count as unset, and core values are trimmed.
 * `options.isTTY` (default: whether `process.stdout` is a terminal) picks the default `LOG_FORMAT`.
 */
export function loadConfig(env: Env = process.env, options: { envFile?: string; isTTY?: boolean } = {}): Config {
  const merged = mergeEnv(readEnvFile(options.envFile ?? '.env'), env);
  const core = Object.fromEntries(CORE_VARIABLES.map((name) => [name, merged[name]?.trim()]));
  const issues: Issue[] = [];

  const parsed = schema.safeParse(core);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const variable = String(issue.path[0]);
      issues.push({ variable, text: `${variable} ${issue.message}`, label: variable, missing: core[variable] === undefined });
    }
  }
  if (core.SLACK_APP_TOKEN === undefined && core.SLACK_SIGNING_SECRET === undefined) {
    // Either one will do, so neither is "invalid": name both as the one missing choice.
    issues.push({
      variable: 'SLACK_APP_TOKEN',
      text: MESSAGES.noTransport,
      label: 'SLACK_APP_TOKEN or SLACK_SIGNING_SECRET',
      missing: true,
    });
  }
  if (!parsed.success || issues.length > 0) throw toConfigError(issues);

  const logFormat = parsed.data.LOG_FORMAT ?? ((options.isTTY ?? process.stdout.isTTY === true) ? 'pretty' : 'json');
  return deepFreeze(toConfig(parsed.data, logFormat, merged));
}

/** Where the store is: all that a command which only opens the store needs (see {@link loadStoreConfig}). */
export type StoreConfig = Pick<Config, 'storeUrl' | 'dataDir'>;

/**
 * Reads and validates STORE_URL and DATA_DIR alone, the same way as {@link loadConfig} (`.env`
 * included), for commands that open the store without talking to Slack (`threadline journal`).
 */
export function loadStoreConfig(env: Env = process.env, options: { envFile?: string } = {}): StoreConfig {
  const merged = mergeEnv(readEnvFile(options.envFile ?? '.env'), env);
  const parsed = schema
    .pick({ STORE_URL: true, DATA_DIR: true })
    .safeParse({ STORE_URL: merged.STORE_URL?.trim(), DATA_DIR: merged.DATA_DIR?.trim() });
  if (!parsed.success) {
    throw toConfigError(
      parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0]);
        return { variable, text: `${variable} ${issue.message}`, label: variable, missing: merged[variable] === undefined };
      }),
    );
  }
  return { ...(parsed.data.STORE_URL === undefined ? {} : { storeUrl: parsed.data.STORE_URL }), dataDir: parsed.data.DATA_DIR };
}

/** Every configured value that must never reach a log line: Slack tokens and secrets, the metrics token, the store password. */
export function configSecrets(config: Config): string[] {
  const storePassword = config.storeUrl === undefined ? '' : redisPassword(config.storeUrl);
  const candidates = [config.slack.botToken, config.slack.appToken, config.slack.signingSecret, config.metricsToken, storePassword];
  if (storePassword !== '') candidates.push(decodeURIComponent(storePassword));
  return [...new Set(candidates.filter((value): value is string => value !== undefined && value !== ''))];
}

function readEnvFile(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  try {
    return definedOnly(parseEnv(readFileSync(file, 'utf8')));
  } catch (cause) {
    throw new ConfigError(file, `Invalid configuration: cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
}

/** The file's values below the real environment's; blank values are dropped so `FOO=` means unset everywhere. */
function mergeEnv(file: Record<string, string>, env: Env): Record<string, string> {
  const merged = { ...file, ...definedOnly(env) };
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value.trim() !== ''));
}

function definedOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function toConfigError(issues: readonly Issue[]): ConfigError {
  const rank = (variable: string) => CORE_VARIABLES.indexOf(variable as CoreVariable);
  const sorted = [...issues].sort((a, b) => rank(a.variable) - rank(b.variable));
  const [first] = sorted;
  if (first === undefined) return new ConfigError('', 'Invalid configuration');
  const rest = sorted.filter((issue) => issue.label !== first.label);
  const labels = (missing: boolean) => [...new Set(rest.filter((issue) => issue.missing === missing).map((issue) => issue.label))];
  const also = [
    ...(labels(true).length > 0 ? [`also missing: ${labels(true).join(', ')}`] : []),
    ...(labels(false).length > 0 ? [`also invalid: ${labels(false).join(', ')}`] : []),
  ];
  const tail = also.length > 0 ? ` (${also.join('; ')})` : '';
  // One line, always: a message never contains a newline even if a value did.
  return new ConfigError(first.variable, `Invalid configuration: ${first.text}${tail}`.replace(/\s+/g, ' '));
}

function toConfig(data: z.output<typeof schema>, logFormat: LogFormat, env: Record<string, string>): Config {
  const base = { botToken: data.SLACK_BOT_TOKEN, apiUrl: data.SLACK_API_URL };
  const secret = data.SLACK_SIGNING_SECRET === undefined ? {} : { signingSecret: data.SLACK_SIGNING_SECRET };
  const slack: SlackConfig =
    data.SLACK_APP_TOKEN !== undefined
      ? { ...base, mode: 'socket', appToken: data.SLACK_APP_TOKEN, ...secret }
      : { ...base, mode: 'http', signingSecret: data.SLACK_SIGNING_SECRET ?? '' };
  return {
    slack,
    slackPostsPerSecond: data.SLACK_POSTS_PER_SECOND,
    port: data.PORT,
    ...(data.METRICS_TOKEN === undefined ? {} : { metricsToken: data.METRICS_TOKEN }),
    ...(data.PUBLIC_URL === undefined ? {} : { publicUrl: data.PUBLIC_URL }),
    ...(data.STORE_URL === undefined ? {} : { storeUrl: data.STORE_URL }),
    dataDir: data.DATA_DIR,
    defaultChannel: data.DEFAULT_CHANNEL,
    adminUsers: data.ADMIN_USERS,
    notePrefix: data.NOTE_PREFIX,
    languageDatabase: data.LANGUAGE_DATABASE,
    logLevel: data.LOG_LEVEL,
    logFormat,
    env,
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
