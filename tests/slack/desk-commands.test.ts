/**
 * The team's `/inbox` subcommands through the real Bolt (HTTP mode): help lines with examples,
 * malformed input answered with the closest usage, and the reply-time commands' admin check.
 * The end-to-end behaviour (lists, reminders, status, detect) is in tests/e2e/waiting-list.test.ts.
 * Source for the command's form fields: https://docs.slack.dev/interactivity/implementing-slash-commands
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { languageForFlag } from '../../src/slack/flags.ts';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-api.ts';
import { postSlashCommand, slashCommand } from '../support/slack-signing.ts';
import { SIGNING_SECRET, startHarness, type Harness } from './harness.ts';

describe('/inbox open, mine, sla, detect, status', () => {
  let fake: FakeSlack;
  let h: Harness;

  const inbox = async (text: string, userId = 'UADMIN') => {
    const res = await postSlashCommand(h.eventsUrl ?? '', SIGNING_SECRET, slashCommand({ text, userId, responseUrl: fake.responseUrl() }));
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text) as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    return body.text;
  };

  beforeAll(async () => {
    fake = await startFakeSlack();
    fake.setUser('UADMIN', { is_admin: true });
    fake.setUser('UMEMBER', {});
    h = await startHarness(fake, { mode: 'http' });
  });
  afterAll(async () => {
    await h.close();
    await fake.close();
  });

  it('lists each new command in the help, with an example', async () => {
    const help = await inbox('help', 'UMEMBER');
    for (const line of [
      '`/inbox open`',
      '`/inbox mine`',
      '`/inbox sla <minutes>`',
      '`/inbox sla <language> <minutes>`',
      '`/inbox detect <text>`',
      '`/inbox status`',
    ])
      expect(help).toContain(line);
    // One example each, in the help's common format (helpText in src/slack/inbox/context.ts).
    expect(help).toContain('Example: `/inbox sla 30`');
    expect(help).toContain('Example: `/inbox sla ko 15`');
  });

  it('answers malformed input with the closest usage', async () => {
    expect(await inbox('open now')).toContain('`/inbox open` takes no arguments');
    expect(await inbox('status please')).toContain('`/inbox status` takes no arguments');
    expect(await inbox('sla soon')).toContain('`soon` is not a number of minutes');
    expect(await inbox('sla 0')).toContain('is not a number of minutes');
    expect(await inbox('sla xx 10')).toContain('`xx` is not a language Threadline knows');
    expect(await inbox('sla ko 10 20')).toContain('Usage: `/inbox sla <minutes>`');
    expect(await inbox('detect')).toContain('Usage: `/inbox detect <text>`');
  });

  it('lets anyone see the reply times, and only admins change them', async () => {
    const refusal = await inbox('sla ko 15', 'UMEMBER');
    expect(refusal).toContain('Only workspace admins and owners');
    expect(refusal).toContain('change reply times');
    expect(await inbox('sla', 'UMEMBER')).toContain('No overall reply time');
    expect(await inbox('sla 30')).toContain('Every conversation is reminded after 30 min waiting, and escalated after 60 min');
    expect(await inbox('sla ko 15')).toContain('Korean (`ko`): 15 min (escalation at 30 min)');
    const shown = await inbox('sla', 'UMEMBER');
    expect(shown).toContain('Reply time: *30 min*');
    expect(shown).toContain('Korean (`ko`): 15 min');
    expect(await inbox('sla ko off')).toContain('Korean (`ko`) now follows the overall reply time');
    expect(await inbox('sla off')).toContain('no overall reply time any more');
  });

  it('says so when nothing waits', async () => {
    expect(await inbox('open', 'UMEMBER')).toContain('No conversation is waiting for a reply');
    expect(await inbox('mine', 'UMEMBER')).toContain('Nothing assigned to you is waiting');
  });
});

describe('flag reactions', () => {
  it('map countries to languages, with and without the flag- prefix', () => {
    expect(languageForFlag('flag-kr')).toBe('ko');
    expect(languageForFlag(':flag-tw:')).toBe('zh-Hant');
    expect(languageForFlag('flag-de')).toBe('de');
    expect(languageForFlag('flag-br')).toBe('pt');
    expect(languageForFlag('jp')).toBe('ja');
    expect(languageForFlag('uk')).toBe('en');
    expect(languageForFlag('flag-zz')).toBeUndefined();
    expect(languageForFlag('white_check_mark')).toBeUndefined();
  });
});
