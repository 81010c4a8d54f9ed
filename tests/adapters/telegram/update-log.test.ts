import { describe, expect, it } from 'vitest';
import { createUpdateLog } from '../../../adapters/telegram/update-log.ts';
import { captureLogger } from '../../support/capture-logger.ts';

const WARN = 40;
const DEBUG = 20;

describe('createUpdateLog', () => {
  it('warns once per unknown kind and per malformed kind, then logs the same kind at debug', () => {
    const capture = captureLogger();
    const logUpdate = createUpdateLog(capture.logger);
    for (let id = 1; id <= 3; id++) {
      logUpdate(id, { events: [], ignored: 'unknown update kind: poll', unknownKind: 'poll' });
      logUpdate(100 + id, {
        events: [],
        ignored: 'message without a readable chat id and message_id: chat is missing',
        malformed: { kind: 'message', reason: 'chat is missing' },
      });
    }
    logUpdate(7, { events: [], ignored: 'unknown update kind: chat_boost', unknownKind: 'chat_boost' });
    const levels = capture.entries().map((e) => [e.level, e.kind, e.updateId]);
    expect(levels).toEqual([
      [WARN, 'poll', 1],
      [WARN, 'message', 101],
      [DEBUG, 'poll', 2],
      [DEBUG, 'message', 102],
      [DEBUG, 'poll', 3],
      [DEBUG, 'message', 103],
      [WARN, 'chat_boost', 7],
    ]);
    expect(
      capture
        .entries()
        .filter((e) => e.level === WARN)
        .every((e) => typeof e.hint === 'string'),
    ).toBe(true);
  });

  it('says whether a malformed update was shown as unreadable or named nobody', () => {
    const capture = captureLogger();
    const logUpdate = createUpdateLog(capture.logger);
    const event = {
      kind: 'message',
      platform: 'telegram',
      eventId: '1:2',
      account: '7',
      contact: { id: '1' },
      occurredAt: '2024-01-01T00:00:00.000Z',
      messageId: '2',
      attachments: [],
    } as const;
    logUpdate(1, { events: [event], malformed: { kind: 'message', reason: 'text is a number, not a string' } });
    logUpdate(2, {
      events: [],
      ignored: 'edited_message without a readable chat id and message_id: chat is missing',
      malformed: { kind: 'edited_message', reason: 'chat is missing' },
    });
    expect(capture.entries().map((e) => e.msg)).toEqual([
      'Telegram update without its documented fields: shown in the thread as unreadable',
      'Telegram update without its documented fields: it names no customer, acknowledged and skipped',
    ]);
  });

  it('stops remembering kinds after 100, logging further new kinds at debug', () => {
    const capture = captureLogger();
    const logUpdate = createUpdateLog(capture.logger);
    for (let i = 0; i < 150; i++) logUpdate(i, { events: [], unknownKind: `kind_${i}` });
    expect(capture.entries().filter((e) => e.level === WARN)).toHaveLength(100);
  });
});
