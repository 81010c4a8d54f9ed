import { describe, expect, it } from 'vitest';
import { parkedText } from '../../src/slack/parked-text.ts';

describe('parkedText', () => {
  it('says whose message could not be shown, why, and the command that replays it', () => {
    expect(
      parkedText({
        what: 'customer_message',
        customer: 'Ann <Berg>',
        reason: 'Slack chat.postMessage failed for channel C1: msg_too_long.',
        entryId: '17',
      }),
    ).toBe(
      '⚠️ A message from Ann &lt;Berg&gt; could not be shown: Slack chat.postMessage failed for channel C1: msg_too_long. An operator can replay it with `threadline journal replay 17`.',
    );
  });

  it('names the agent for replies and actions, and keeps a long reason to one short line', () => {
    const text = parkedText({ what: 'agent_command', agentId: 'U0AGENT', reason: `a\n${'x'.repeat(1000)}`, entryId: '9' });
    expect(text).toMatch(
      /^⚠️ An action by <@U0AGENT> could not be applied: a x+…\. An operator can replay it with `threadline journal replay 9`\.$/,
    );
    expect(text.length).toBeLessThan(450);
  });
});
