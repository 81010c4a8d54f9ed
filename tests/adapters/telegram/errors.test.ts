import { GrammyError, HttpError } from 'grammy';
import { describe, expect, it } from 'vitest';
import { toChannelError, toConnectError, toDownloadError } from '../../../adapters/telegram/errors.ts';
import { ChannelError } from '../../../src/errors.ts';
import * as replies from '../../fixtures/telegram/api-errors.ts';

const grammyError = (reply: replies.TelegramErrorReply) =>
  new GrammyError("Call to 'sendMessage' failed!", reply.body, 'sendMessage', { chat_id: 1, text: 'private words' });

describe('toChannelError', () => {
  it.each([
    ['429', replies.tooManyRequests(3), 'rate_limited'],
    ['403 blocked', replies.botBlocked, 'unreachable'],
    ['403 deactivated', replies.userDeactivated, 'unreachable'],
    [
      '403 other',
      { status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was kicked from the group chat' } },
      'unreachable',
    ],
    ['400 chat not found', replies.chatNotFound, 'unreachable'],
    ['400 file too big', replies.fileTooBig, 'rejected'],
    ['413', { status: 413, body: { ok: false, error_code: 413, description: 'Request Entity Too Large' } }, 'rejected'],
    ['400 other', { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: message text is empty' } }, 'rejected'],
    ['401', replies.unauthorized, 'auth'],
    ['404', { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } }, 'auth'],
    ['500', replies.internalServerError, 'transient'],
    ['409', replies.conflictOtherPoller, 'rejected'],
  ] as const)('maps %s to %s, keeping the code and the cause', (_name, reply, kind) => {
    const cause = grammyError(reply);
    const error = toChannelError(cause);
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ platform: 'telegram', kind, detail: { platformCode: reply.body.error_code } });
    expect(error.cause).toBe(cause);
    expect(error.message).toContain(reply.body.description);
    expect(error.message).not.toContain('private words');
  });

  it('gives retryAfterMs from parameters.retry_after', () => {
    expect(toChannelError(grammyError(replies.tooManyRequests(12))).detail.retryAfterMs).toBe(12_000);
  });

  it('tells the admin to set TELEGRAM_BOT_TOKEN from @BotFather on a token error', () => {
    expect(toChannelError(grammyError(replies.unauthorized)).message).toMatch(/set TELEGRAM_BOT_TOKEN to the token from @BotFather/);
  });

  it('treats network failures as transient and scrubs the token from nested messages', () => {
    const inner = new Error(
      'request to https://api.telegram.org/bot123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11/sendMessage failed, reason: socket hang up',
    );
    const cause = new HttpError("Network request for 'sendMessage' failed!", inner);
    const error = toChannelError(cause);
    expect(error).toMatchObject({ kind: 'transient', message: 'Telegram could not be reached (network error)' });
    expect(error.cause).toBe(cause);
    expect(inner.message).toBe('request to https://api.telegram.org/bot[redacted]/sendMessage failed, reason: socket hang up');
    expect(inner.stack).not.toContain('ABC-DEF1234');
  });

  it('returns a ChannelError unchanged', () => {
    const original = new ChannelError('telegram', 'auth', 'x');
    expect(toChannelError(original)).toBe(original);
  });
});

describe('toConnectError (getMe, setWebhook, deleteWebhook)', () => {
  const root = 'https://tg-proxy.internal';
  const getMeError = (reply: replies.TelegramErrorReply) => new GrammyError("Call to 'getMe' failed!", reply.body, 'getMe', {});

  it('names the API root, not the token-bearing URL, and says network problem, not the token', () => {
    const inner = Object.assign(
      new Error(
        'request to https://tg-proxy.internal/bot123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11/getMe failed, reason: getaddrinfo ENOTFOUND tg-proxy.internal',
      ),
      { code: 'ENOTFOUND' },
    );
    const error = toConnectError(new HttpError("Network request for 'getMe' failed!", inner), root);
    expect(error).toMatchObject({ kind: 'transient' });
    expect(error.message).toBe(
      "could not reach Telegram at https://tg-proxy.internal/: ENOTFOUND — a network problem (proxy, DNS, firewall), not a bad token; check TELEGRAM_API_ROOT and this host's network",
    );
    expect(inner.message).not.toContain('ABC-DEF1234');
  });

  it("says timeout when the caller's timeout fired", () => {
    const error = toConnectError(
      new HttpError("Network request for 'getMe' failed!", new Error('The operation was aborted.')),
      root,
      'timeout',
    );
    expect(error.message).toMatch(/^could not reach Telegram at https:\/\/tg-proxy\.internal\/: timeout — a network problem/);
  });

  it('keeps the token message for 401 and names the root for a server error', () => {
    expect(toConnectError(getMeError(replies.unauthorized), root)).toMatchObject({
      kind: 'auth',
      message: expect.stringMatching(/set TELEGRAM_BOT_TOKEN to the token from @BotFather/),
    });
    expect(toConnectError(getMeError(replies.internalServerError), root).message).toMatch(
      /^Telegram at https:\/\/tg-proxy\.internal\/ had a server error \(500: .*\) — not a bad token$/,
    );
  });
});

describe('toDownloadError', () => {
  it('maps file download statuses', () => {
    expect(toDownloadError(429).kind).toBe('rate_limited');
    expect(toDownloadError(503).kind).toBe('transient');
    expect(toDownloadError(404).kind).toBe('rejected');
  });
});
