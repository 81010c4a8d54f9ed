/** The parent message as a Slack user sees it: fields and button ids, no snapshots. */
import { describe, expect, it } from 'vitest';
import type { ConversationView } from '../../src/engine/slack-port.ts';
import {
  ACTION_ASSIGN,
  ACTION_ASSIGN_TO,
  ACTION_CLOSE,
  ACTION_DEESCALATE,
  ACTION_ESCALATE,
  ACTION_REOPEN,
  ACTION_UNASSIGN,
  parentMessage,
} from '../../src/slack/blocks.ts';

const view = (fields: Partial<ConversationView> = {}): ConversationView => ({
  conversationId: 'telegram:777:42',
  platform: 'telegram',
  contact: { id: '42', name: 'Ana Lima', handle: 'analima' },
  language: 'zh-Hant',
  status: 'waiting',
  openedAt: '2025-11-25T06:00:00.000Z',
  ...fields,
});

/** All visible text of a message's blocks, and its buttons. */
function seen(body: ReturnType<typeof parentMessage>) {
  const texts: string[] = [];
  const buttons: { id: string; label: string }[] = [];
  for (const block of body.blocks) {
    if (block.type === 'section') {
      if (block.text) texts.push(block.text.text);
      for (const field of block.fields ?? []) texts.push(field.text);
    }
    if (block.type === 'context') for (const e of block.elements) if ('text' in e) texts.push(e.text);
    if (block.type === 'actions') {
      for (const e of block.elements) if (e.type === 'button') buttons.push({ id: e.action_id ?? '', label: e.text.text });
    }
  }
  return { text: texts.join('\n'), buttons };
}

/** The user pickers of a message's actions, with their initial user. */
function pickers(body: ReturnType<typeof parentMessage>) {
  return body.blocks.flatMap((block) =>
    block.type === 'actions'
      ? block.elements.flatMap((e) =>
          e.type === 'users_select' ? [{ id: e.action_id ?? '', ...(e.initial_user ? { initial: e.initial_user } : {}) }] : [],
        )
      : [],
  );
}

describe('parentMessage', () => {
  it('shows who, where, language, a waiting status, no assignee, and Assign / Close buttons', () => {
    const body = parentMessage(view());
    const { text, buttons } = seen(body);
    expect(text).toContain('*Ana Lima* (@analima)');
    expect(text).toContain('Telegram · Traditional Chinese (zh-Hant)');
    expect(text).toContain('⏳ Waiting for reply');
    expect(text).toContain('Unassigned');
    expect(buttons).toEqual([
      { id: ACTION_ASSIGN, label: 'Assign to me' },
      { id: ACTION_ESCALATE, label: 'Escalate' },
      { id: ACTION_CLOSE, label: 'Close' },
    ]);
    expect(pickers(parentMessage(view()))).toEqual([{ id: ACTION_ASSIGN_TO }]);
  });

  it('offers the user picker showing the assignee, Unassign, and De-escalate once escalated', () => {
    const body = parentMessage(view({ assignee: 'UAGENT2', escalatedBy: 'UAGENT1' }));
    const { text, buttons } = seen(body);
    expect(text).toContain('🚨 Escalated by <@UAGENT1>');
    expect(pickers(body)).toEqual([{ id: ACTION_ASSIGN_TO, initial: 'UAGENT2' }]);
    expect(buttons.map((b) => b.id)).toEqual([ACTION_ASSIGN, ACTION_UNASSIGN, ACTION_DEESCALATE, ACTION_CLOSE]);
  });

  it('says which replies reach the customer when given the reply mode', () => {
    expect(seen(parentMessage(view(), { replyMode: 'prefixed' })).text).toContain('Only replies starting with `&gt;&gt;`');
    expect(seen(parentMessage(view(), { replyMode: 'all', notePrefix: 'int:' })).text).toContain(
      'start one with `int:` to keep it internal',
    );
  });

  it('says why nobody was assigned automatically', () => {
    expect(seen(parentMessage(view({ unassigned: 'no_agent' }))).text).toContain('Unassigned: no agent speaks Traditional Chinese');
    expect(seen(parentMessage(view({ unassigned: 'no_language' }))).text).toContain('Unassigned: language unknown');
  });

  it('shows who answered and who is assigned', () => {
    const { text } = seen(parentMessage(view({ status: 'answered', answeredBy: 'UAGENT1', assignee: 'UAGENT2' })));
    expect(text).toContain('💬 Answered by <@UAGENT1>');
    expect(text).toContain('Assigned to <@UAGENT2>');
  });

  it('offers Reopen instead of Close once closed, and says who closed it', () => {
    const { text, buttons } = seen(parentMessage(view({ status: 'closed', closedBy: 'UAGENT1' })));
    expect(text).toContain('✅ Closed by <@UAGENT1>');
    expect(buttons.map((b) => b.id)).toEqual([ACTION_ASSIGN, ACTION_ESCALATE, ACTION_REOPEN]);
  });

  it('says an unknown language went to the default channel', () => {
    const { language: _, ...rest } = view();
    expect(seen(parentMessage(rest)).text).toContain('Language unknown: sent to the default channel');
  });

  it('links the previous conversation when there is one', () => {
    const previous = { slackChannelId: 'C1', threadTs: '1.2' };
    expect(seen(parentMessage(view({ previous }), { previousLink: 'https://x.slack.com/archives/C1/p12' })).text).toContain(
      '<https://x.slack.com/archives/C1/p12|the previous conversation>',
    );
    expect(seen(parentMessage(view({ previous }))).text).toContain('Continues a previous conversation');
    expect(seen(parentMessage(view())).text).not.toContain('Continues');
  });

  it('shows the picture unless told not to, and escapes names so they cannot mention anyone', () => {
    const withAvatar = parentMessage(view({ contact: { id: '1', name: '<!channel> & co', avatarUrl: 'https://cdn.example/a.jpg' } }));
    const who = withAvatar.blocks[0];
    expect(who?.type === 'section' && who.accessory?.type).toBe('image');
    expect(seen(withAvatar).text).toContain('*&lt;!channel&gt; &amp; co*');
    const without = parentMessage(view({ contact: { id: '1', avatarUrl: 'https://cdn.example/a.jpg' } }), { showAvatar: false });
    expect(without.blocks[0]?.type === 'section' && without.blocks[0].accessory).toBeUndefined();
    expect(seen(without).text).toContain('*Telegram user 1*');
  });

  it('has a meaningful notification text and never the customer’s words', () => {
    const body = parentMessage(view({ status: 'answered', answeredBy: 'UAGENT1' }));
    expect(body.text).toBe('💬 Answered by <@UAGENT1>: Ana Lima (@analima) on Telegram · Traditional Chinese (zh-Hant) · Unassigned');
  });
});
