/**
 * `/inbox` through the real Bolt (HTTP mode): the ack body is the ephemeral answer the admin sees.
 * Source for the command's form fields: https://docs.slack.dev/interactivity/implementing-slash-commands
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HELP_LINES, parseChannelArg } from '../../src/slack/inbox-command.ts';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-api.ts';
import { postSlashCommand, slashCommand } from '../support/slack-signing.ts';
import { SIGNING_SECRET, startHarness, type Harness } from './harness.ts';

describe('/inbox', () => {
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
    fake.setUser('UOWNER', { is_owner: true });
    fake.setUser('UMEMBER', {});
    h = await startHarness(fake, { mode: 'http', adminUsers: ['ULISTED'] });
  });
  afterAll(async () => {
    await h.close();
    await fake.close();
  });
  beforeEach(() => {
    h.routing.routes.clear();
    h.routing.routes.set('ko', 'C0KOREAN');
  });

  it('shows help for `/inbox` alone and for `/inbox help`', async () => {
    for (const text of ['', 'help', 'HELP']) {
      const answer = await inbox(text, 'UMEMBER');
      expect(answer).toContain('/inbox route <language> <#channel>');
      expect(answer).toContain('/inbox unroute <language>');
      expect(answer).toContain('/inbox routes');
    }
  });

  it('lists every command in `/inbox help`, each with one example', async () => {
    const answer = await inbox('help', 'UMEMBER');
    const commands = answer.split('\n').filter((line) => line.startsWith('• '));
    expect(commands.length).toBe(HELP_LINES.length);
    for (const line of commands) expect(line).toMatch(/^• `\/inbox [^`]+`: .+\. Example: `\/inbox [^`]+`$/);
    for (const usage of ['/inbox agent @user <language…>', '/inbox agents', '/inbox route default <#channel>', '/inbox help'])
      expect(answer).toContain(`\`${usage}\``);
  });

  it('answers an unknown command with the closest correct usage, never silence', async () => {
    expect(await inbox('agnets', 'UMEMBER')).toContain('Did you mean `/inbox agents`? For example `/inbox agents`.');
    expect(await inbox('rout ko C0KO', 'UMEMBER')).toContain('Did you mean `/inbox route <language> <#channel>`?');
    expect(await inbox('unrout ko', 'UMEMBER')).toContain('`/inbox unroute <language>`');
    expect(await inbox('xyzzy', 'UMEMBER')).toContain('`/inbox help` lists every command');
  });

  it('lists the routes and the default channel to anyone', async () => {
    const answer = await inbox('routes', 'UMEMBER');
    expect(answer).toContain('Korean (`ko`) → <#C0KOREAN>');
    expect(answer).toContain('cannot be told: <#C0DEFAULT>');
  });

  it('lets a workspace admin route a language to a channel given as Slack escapes it', async () => {
    const answer = await inbox('route zh-hant <#C0ZHTW|support-zh-tw>');
    expect(h.routing.routes.get('zh-Hant')).toBe('C0ZHTW');
    expect(answer).toContain('Traditional Chinese (`zh-Hant`) now goes to <#C0ZHTW>');
    expect(answer).not.toContain('not a member');
  });

  it('warns, with the fix, when Threadline is not a member of the routed channel', async () => {
    fake.kickBot('C0NOBOT');
    const answer = await inbox('route ja <#C0NOBOT|support-ja>');
    expect(h.routing.routes.get('ja')).toBe('C0NOBOT');
    expect(answer).toContain('not a member of <#C0NOBOT>');
    expect(answer).toContain('/invite @Threadline');
    expect(answer).toContain('default channel');
  });

  it('accepts a bare channel id and sets the default channel', async () => {
    await inbox('route default C0EVERYONE', 'UOWNER');
    expect(h.routing.defaultChannel()).toBe('C0EVERYONE');
    await inbox('route default <#C0DEFAULT|support>');
    expect(h.routing.defaultChannel()).toBe('C0DEFAULT');
  });

  it('removes a route, and says so when there was none', async () => {
    expect(await inbox('unroute KO')).toContain('Korean (`ko`) now goes to the default channel, <#C0DEFAULT>');
    expect(h.routing.routes.has('ko')).toBe(false);
    expect(await inbox('unroute ko')).toContain('had no route; nothing changed');
  });

  it('refuses changes from an ordinary member, naming who can', async () => {
    const answer = await inbox('route ko <#C0OTHER|other>', 'UMEMBER');
    expect(answer).toContain('Only workspace admins and owners');
    expect(answer).toContain('<@ULISTED> (ADMIN_USERS)');
    expect(h.routing.routes.get('ko')).toBe('C0KOREAN');
  });

  it('allows users listed in ADMIN_USERS without asking Slack for their role', async () => {
    const before = fake.calls.filter((c) => c.method === 'users.info').length;
    await inbox('route ja <#C0JA|support-ja>', 'ULISTED');
    expect(h.routing.routes.get('ja')).toBe('C0JA');
    expect(fake.calls.filter((c) => c.method === 'users.info')).toHaveLength(before);
  });

  it('refuses a channel that is not a Slack channel reference, with an example', async () => {
    const answer = await inbox('route ko #support-ko');
    expect(answer).toContain('`#support-ko` is not a Slack channel');
    expect(answer).toContain('/inbox route ko C0123ABC');
    expect(h.routing.routes.get('ko')).toBe('C0KOREAN');
  });

  it('refuses an unknown language tag, and explains usage for missing arguments', async () => {
    expect(await inbox('route klingon <#C0X|x>')).toContain('`klingon` is not a language Threadline knows');
    expect(await inbox('route ko')).toContain('Usage: `/inbox route <language> <#channel>`');
    expect(await inbox('unroute')).toContain('Usage: `/inbox unroute <language>`');
    expect(await inbox('frobnicate')).toContain('Unknown `/inbox frobnicate`');
  });

  it.each([
    ['a channel argument', 'route ko <!channel>', '`&lt;!channel&gt;` is not a Slack channel'],
    ['a language argument', 'route <!here> C0123ABC', '`&lt;!here&gt;` is not a language'],
    ['an unroute argument', 'unroute <!subteam^S0123|@support>', '`&lt;!subteam^S0123|@support&gt;` is not a language'],
    ['a user mention', 'route ko <@U0ADMIN>', '`&lt;@U0ADMIN&gt;` is not a Slack channel'],
    ['an unknown subcommand', '<!everyone>&more', 'Unknown `/inbox &lt;!everyone&gt;&amp;more`'],
    ['a user mention as language', 'unroute <@U0ADMIN|ada>', '`&lt;@U0ADMIN|ada&gt;` is not a language'],
  ])('shows %s back escaped, so that it mentions no one', async (_what, text, shown) => {
    const answer = await inbox(text);
    expect(answer).toContain(shown);
    expect(answer).not.toMatch(/<[!@]/);
    expect(h.routing.routes.get('ko')).toBe('C0KOREAN');
  });

  it('answers with an apology, not silence, when the settings store fails', async () => {
    const setRoute = h.routing.settings.setRoute;
    h.routing.settings.setRoute = async () => {
      throw new Error('store down');
    };
    try {
      expect(await inbox('route ja C0JA')).toContain('Something went wrong and nothing was changed');
    } finally {
      h.routing.settings.setRoute = setRoute;
    }
  });
});

describe('parseChannelArg', () => {
  it('reads escaped channel references and bare ids, and nothing else', () => {
    expect(parseChannelArg('<#C0123ABC|support-ko>')).toBe('C0123ABC');
    expect(parseChannelArg('<#C0123ABC|>')).toBe('C0123ABC');
    expect(parseChannelArg('<#G0123ABC>')).toBe('G0123ABC');
    expect(parseChannelArg('C0123ABC')).toBe('C0123ABC');
    expect(parseChannelArg('#support-ko')).toBeUndefined();
    expect(parseChannelArg('<@U0123ABC>')).toBeUndefined();
    expect(parseChannelArg('c0123abc')).toBeUndefined();
  });
});
