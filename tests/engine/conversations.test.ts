import { describe, expect, it } from 'vitest';
import { parseConversationId, toConversationId } from '../../src/engine/conversations.ts';
import { routeFor, routedLanguages } from '../../src/engine/routing.ts';
import { applyRules } from '../../src/engine/rules.ts';
import type { InboundMessage } from '../../src/messages.ts';

describe('conversation ids', () => {
  it('round-trip, also when the contact id contains colons', () => {
    for (const key of [
      { platform: 'telegram' as const, account: '777', contactId: '42' },
      { platform: 'whatsapp' as const, account: '1555', contactId: 'US.13491208655302741918' },
      { platform: 'wechat' as const, account: 'gh_1', contactId: 'o:with:colons' },
    ]) {
      expect(parseConversationId(toConversationId(key))).toEqual(key);
    }
  });

  it('rejects ids it did not build', () => {
    expect(parseConversationId('slack:1:2')).toBeUndefined();
    expect(parseConversationId('telegram:777')).toBeUndefined();
    expect(parseConversationId('telegram::42')).toBeUndefined();
  });
});

describe('routing', () => {
  const routes = { ko: 'CKO', zh: 'CZH', 'zh-Hant': 'CTW' };
  it('uses the exact route, then the primary language, then the default channel', () => {
    expect(routeFor('ko', routes, 'CDEF')).toBe('CKO');
    expect(routeFor('zh-Hant', routes, 'CDEF')).toBe('CTW');
    expect(routeFor('zh-Hans', routes, 'CDEF')).toBe('CZH');
    expect(routeFor('ja', routes, 'CDEF')).toBe('CDEF');
    expect(routeFor(undefined, routes, 'CDEF')).toBe('CDEF');
  });
  it('lets a zh route make both Chinese scripts candidates', () => {
    expect(routedLanguages({ zh: 'C' }).sort()).toEqual(['zh', 'zh-Hans', 'zh-Hant']);
  });
});

describe('rules', () => {
  const base: InboundMessage = {
    kind: 'message',
    platform: 'instagram',
    account: '1',
    eventId: 'e',
    messageId: 'm',
    contact: { id: 'c' },
    occurredAt: '2026-01-01T00:00:00.000Z',
    attachments: [],
  };
  it('ignores story mentions and emoji-only story replies unless a conversation is open', () => {
    expect(applyRules({ ...base, context: { kind: 'story_mention' } }, false).action).toBe('ignore');
    expect(applyRules({ ...base, text: '😍🔥', context: { kind: 'story_reply' } }, false).action).toBe('ignore');
    expect(applyRules({ ...base, text: '😍🔥', context: { kind: 'story_reply' } }, true).action).toBe('deliver');
    expect(applyRules({ ...base, text: 'Is this still available?', context: { kind: 'story_reply' } }, false).action).toBe('deliver');
    expect(applyRules({ ...base, text: 'hello' }, false).action).toBe('deliver');
  });
});
