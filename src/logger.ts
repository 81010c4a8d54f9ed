/** The one place a pino logger is built. Secrets are redacted; customer text is never logged at info. */
import { pino, type Logger, type DestinationStream } from 'pino';

/** Paths pino replaces with `[redacted]` wherever they appear in a log object. */
export const REDACT_PATHS = [
  'token', '*.token', 'botToken', '*.botToken', 'appToken', '*.appToken', 'accessToken', '*.accessToken',
  'secret', '*.secret', 'signingSecret', '*.signingSecret', 'webhookSecret', '*.webhookSecret',
  'appSecret', '*.appSecret', 'password', '*.password', 'authorization', '*.authorization',
  'req.headers.authorization', 'req.headers["x-slack-signature"]', 'req.headers["x-hub-signature-256"]',
  'req.headers["x-telegram-bot-api-secret-token"]', 'headers.authorization',
  'headers["x-telegram-bot-api-secret-token"]', 'headers["x-slack-signature"]',
];

/** Builds the root logger. `destination` lets tests capture output. */
export function createLogger(options: { level: string; secrets?: readonly string[] }, destination?: DestinationStream): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 6);
  return pino(
    {
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // Last line of defence: a configured secret that slips into a message or an error text is masked.
      hooks: secrets.length === 0 ? {} : {
        streamWrite(line: string) {
          let out = line;
          for (const secret of secrets) out = out.split(secret).join('[redacted]');
          return out;
        },
      },
    },
    destination,
  );
}

export type { Logger };
