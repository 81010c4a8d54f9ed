import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { closedPort, DEFAULT_CHANNEL, startDoctorWorld, type DoctorWorld } from './harness.ts';

const manifestScopes = (
  parse(readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8')) as { oauth_config: { scopes: { bot: string[] } } }
).oauth_config.scopes.bot;

let world: DoctorWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function start(options: Parameters<typeof startDoctorWorld>[0] = {}): Promise<DoctorWorld> {
  world = await startDoctorWorld(options);
  return world;
}

describe('threadline doctor: Slack channels', () => {
  it('names a routed channel the bot is not a member of, and how to invite it', async () => {
    const w = await start();
    await w.route({ ko: 'C0KO', ja: 'C0JA', 'zh-Hans': 'C0KO' });
    w.slack.setChannel('C0KO', { name: 'support-ko' });
    w.slack.setChannel('C0JA', { name: 'support-ja' });
    w.slack.kickBot('C0KO');
    const run = await w.run();
    expect(run.code).toBe(1);
    expect(run.line('#support-ko (C0KO)')).toBe(
      '✗ #support-ko (C0KO): the bot is not a member (routes for ko and zh-Hans): invite it with /invite @threadline in #support-ko',
    );
    expect(run.line('#support-ja (C0JA)')).toBe('✓ #support-ja (C0JA): the bot is a member (route for ja)');
    expect(run.line(`#c0default (${DEFAULT_CHANNEL})`)).toMatch(/^✓ /);
    expect(run.line('routes')).toBeUndefined();
    expect(run.lines.at(-1)).toMatch(/^1 of \d+ checks failed: fix the ✗ lines above/);
  });

  it('names an archived channel, and a private or deleted one the bot cannot see', async () => {
    const w = await start();
    await w.route({ ja: 'C0JA', ko: 'C0GONE' });
    w.slack.setChannel('C0JA', { name: 'support-ja', archived: true });
    w.slack.setChannel('C0GONE', { deleted: true });
    const run = await w.run();
    expect(run.code).toBe(1);
    expect(run.line('#support-ja (C0JA)')).toBe(
      '✗ #support-ja (C0JA): the channel is archived (route for ja): unarchive it, or route ja to another channel with /inbox route ja #channel',
    );
    expect(run.line('C0GONE')).toBe(
      '✗ C0GONE: Slack shows the bot no such channel (channel_not_found; route for ko): if it is a private channel, invite the bot there with /invite @threadline; ' +
        'otherwise the id is wrong: route ko to another channel with /inbox route ko #channel',
    );
  });

  it('checks the default set with /inbox route default instead of DEFAULT_CHANNEL', async () => {
    const w = await start();
    await w.route({}, 'C0NEWDEFAULT');
    w.slack.kickBot(DEFAULT_CHANNEL);
    const run = await w.run();
    expect(run.code, run.text).toBe(0);
    expect(run.line('#c0newdefault (C0NEWDEFAULT)')).toBe(
      '✓ #c0newdefault (C0NEWDEFAULT): the bot is a member (the default channel, set with /inbox route default)',
    );
    expect(run.text).not.toContain(`(${DEFAULT_CHANNEL})`);
  });

  it('tells DEFAULT_CHANNEL to change when that channel is gone', async () => {
    const w = await start();
    w.slack.setChannel(DEFAULT_CHANNEL, { deleted: true });
    const run = await w.run();
    expect(run.code).toBe(1);
    expect(run.line(DEFAULT_CHANNEL)).toMatch(
      /^✗ C0DEFAULT: Slack shows the bot no such channel \(channel_not_found; the default channel, DEFAULT_CHANNEL\): .*set DEFAULT_CHANNEL to another channel id$/,
    );
  });
});

describe('threadline doctor: Slack scopes', () => {
  it('names a scope manifest.yml asks for that the token lacks', async () => {
    const w = await start({ slack: { scopes: manifestScopes.filter((scope) => scope !== 'reactions:write') } });
    const run = await w.run();
    expect(run.code).toBe(1);
    expect(run.line('scopes')).toBe(
      '✗ scopes: the token lacks reactions:write, which manifest.yml asks for: add it under OAuth & Permissions → Bot Token Scopes ' +
        '(or paste manifest.yml again under App Manifest), then reinstall the app to the workspace',
    );
  });

  it('does not mind scopes beyond the manifest', async () => {
    const w = await start({ slack: { scopes: [...manifestScopes, 'chat:write.public'] } });
    const run = await w.run();
    expect(run.line('scopes')).toMatch(/^✓ scopes: the token has all \d+ bot scopes/);
  });
});

describe('threadline doctor: Slack tokens and reachability', () => {
  it('says an unreachable Slack is a network problem at that URL, not a bad token', async () => {
    const w = await start();
    const apiUrl = `http://127.0.0.1:${await closedPort()}/api/`;
    const run = await w.run({ SLACK_API_URL: apiUrl });
    expect(run.code).toBe(1);
    expect(run.line('Slack')).toBe(
      `✗ Slack: could not reach Slack at ${apiUrl}: ECONNREFUSED — a network problem (proxy, DNS, firewall), not a bad token; check SLACK_API_URL and this host's network`,
    );
    expect(run.line('SLACK_BOT_TOKEN')).toBeUndefined();
    expect(run.text).not.toMatch(/refused|set SLACK_BOT_TOKEN|set it/);
    // The other groups still run.
    expect(run.line('store')).toMatch(/^✓ /);
    expect(run.line('TELEGRAM_BOT_TOKEN')).toMatch(/^✓ /);
  });

  it('says a Slack that answers HTTP errors is not a token problem either', async () => {
    const w = await start();
    w.slack.failNext('auth.test', { status: 503 });
    const run = await w.run();
    expect(run.line('Slack')).toMatch(
      /^✗ Slack: Slack at http:\/\/127\.0\.0\.1:\d+\/api\/ answered HTTP 503 to auth\.test: .*not a bad token$/,
    );
  });

  it('says to set SLACK_BOT_TOKEN when Slack answers invalid_auth, and checks nothing else of Slack', async () => {
    const w = await start();
    const run = await w.run({ SLACK_BOT_TOKEN: 'xoxb-1111-2222-revoked' });
    expect(run.code).toBe(1);
    expect(run.line('SLACK_BOT_TOKEN')).toBe(
      "✗ SLACK_BOT_TOKEN: Slack refused SLACK_BOT_TOKEN (invalid_auth): set it to the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page (reinstall the app if it was revoked)",
    );
    expect(run.line('scopes')).toBeUndefined();
    expect(run.line(`#c0default (${DEFAULT_CHANNEL})`)).toBeUndefined();
    expect(w.slack.calls.map((call) => call.method)).toEqual(['auth.test']);
  });

  it('says to set SLACK_APP_TOKEN when Slack refuses the app-level token', async () => {
    const w = await start();
    const run = await w.run({ SLACK_APP_TOKEN: 'xapp-1-A0THREAD-9999-wrong' });
    expect(run.code).toBe(1);
    expect(run.line('SLACK_APP_TOKEN')).toBe(
      '✗ SLACK_APP_TOKEN: Slack refused SLACK_APP_TOKEN (invalid_auth): set it to an app-level token (xapp-…) with connections:write, from Basic Information → App-Level Tokens',
    );
    expect(run.line('SLACK_BOT_TOKEN')).toMatch(/^✓ /);
  });
});
