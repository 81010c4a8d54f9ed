/**
 * What became of each update, in the log at the level it deserves. An unknown kind, or an update of
 * a handled kind without its documented fields, is a `warn` once per kind for the life of the
 * channel and `debug` after that: Telegram sends the next one the same way, so one line tells the
 * admin and a thousand would bury the log. Nothing here is an error: these updates are handled.
 */
import type { Logger } from '../../src/channel.ts';
import { ALLOWED_UPDATES, type ParseResult } from './parse.ts';

/** Kinds remembered at most; past this many distinct kinds every further one is logged at debug. */
const MAX_WARNED_KINDS = 100;

const UNKNOWN_HINT = `Threadline asks Telegram only for ${ALLOWED_UPDATES.join(', ')}; a webhook registered by hand may ask for more. Only the first update of each kind is logged at warn`;
const MALFORMED_HINT =
  'Telegram sent a payload that does not match the Bot API documentation; if it repeats, report the kind and reason (no customer content is logged). Only the first update of each kind is logged at warn';

/** Logs one parse result; `updateId` identifies the update in the log. */
export type UpdateLog = (updateId: number, result: ParseResult) => void;

/** Builds the log of update outcomes for one channel; it remembers which kinds it warned about. */
export function createUpdateLog(log: Logger): UpdateLog {
  const warned = new Set<string>();
  const warnOnce = (key: string, fields: Record<string, unknown>, message: string) => {
    if (warned.has(key) || warned.size >= MAX_WARNED_KINDS) return log.debug(fields, message);
    warned.add(key);
    log.warn(fields, message);
  };
  return (updateId, result) => {
    if (result.unknownKind !== undefined) {
      warnOnce(
        `unknown:${result.unknownKind}`,
        { kind: result.unknownKind, updateId, hint: UNKNOWN_HINT },
        'unknown Telegram update kind ignored',
      );
    } else if (result.malformed !== undefined) {
      const { kind, reason } = result.malformed;
      const fields = { kind, reason, updateId, hint: MALFORMED_HINT };
      if (result.events.length > 0)
        warnOnce(`malformed:${kind}`, fields, 'Telegram update without its documented fields: shown in the thread as unreadable');
      else
        warnOnce(
          `malformed:${kind}`,
          { ...fields, ignored: result.ignored },
          'Telegram update without its documented fields: it names no customer, acknowledged and skipped',
        );
    } else if (result.ignored?.includes('TELEGRAM_ALLOW_GROUPS')) {
      // Group traffic is ignored unless enabled; say so at info once per update so an admin who added the
      // bot to a group sees why nothing arrives. Other ignored updates (own echoes, bots) are routine.
      log.info({ updateId, reason: result.ignored }, 'Telegram group message ignored');
    } else if (result.ignored !== undefined) {
      log.debug({ updateId, reason: result.ignored }, 'Telegram update ignored');
    }
  };
}
