/**
 * The one place a pino logger is built. Secrets are redacted; customer text is never logged at info.
 *
 * `json` writes pino's JSON lines (for log collectors; the default in production). `pretty` writes
 * the same lines through pino-pretty, the pino team's own prettifier, used as a stream in this
 * thread: redaction and the secret masking below run on the JSON line before pino-pretty sees it, so
 * pretty output hides exactly what JSON output hides.
 * @see https://github.com/pinojs/pino/blob/main/docs/pretty.md
 */
import { pino, type Logger, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';

/** Paths pino replaces with `[redacted]` wherever they appear in a log object. */
export const REDACT_PATHS = [
  'token',
  '*.token',
  'botToken',
  '*.botToken',
  'appToken',
  '*.appToken',
  'accessToken',
  '*.accessToken',
  'secret',
  '*.secret',
  'signingSecret',
  '*.signingSecret',
  'webhookSecret',
  '*.webhookSecret',
  'appSecret',
  '*.appSecret',
  'password',
  '*.password',
  // X: OAuth 1.0a consumer key and secret, user access token and secret (adapters/x/config.ts).
  'appKey',
  '*.appKey',
  'accessSecret',
  '*.accessSecret',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers["x-slack-signature"]',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-telegram-bot-api-secret-token"]',
  'req.headers["x-twitter-webhooks-signature"]',
  'headers.authorization',
  'headers["x-telegram-bot-api-secret-token"]',
  'headers["x-slack-signature"]',
  // WeChat: the EncodingAESKey, the access token (a query parameter of every API call) and the push signatures (in the URL).
  'encodingAesKey',
  '*.encodingAesKey',
  'access_token',
  '*.access_token',
  'query.signature',
  'query.msg_signature',
  'headers["x-twitter-webhooks-signature"]',
];

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  readonly level: string;
  /** `json` (default) or `pretty`. */
  readonly format?: 'json' | 'pretty';
  /** Configured values masked wherever they appear in a line (values shorter than 6 characters are ignored). */
  readonly secrets?: readonly string[];
}

/** Builds the root logger. `destination` (default: standard output) lets tests capture output. */
export function createLogger(options: LoggerOptions, destination?: DestinationStream): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 6);
  const output = options.format === 'pretty' ? prettyStream(destination) : destination;
  return pino(
    {
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // Last line of defence: a configured secret that slips into a message or an error text is masked.
      hooks:
        secrets.length === 0
          ? {}
          : {
              streamWrite(line: string) {
                let out = line;
                for (const secret of secrets) out = out.split(secret).join('[redacted]');
                return out;
              },
            },
    },
    output,
  );
}

/** pino-pretty writing to `destination`, or synchronously to standard output (colours only on a terminal). */
function prettyStream(destination: DestinationStream | undefined): DestinationStream {
  return pretty({
    ...(destination === undefined ? { destination: 1, sync: true } : { destination }),
    colorize: destination === undefined && process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
  });
}

export type { Logger };
