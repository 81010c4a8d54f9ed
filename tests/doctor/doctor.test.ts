import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  APP_TOKEN,
  BOT_TOKEN,
  doctor,
  redisUrl,
  SIGNING_SECRET,
  startDoctorWorld,
  TELEGRAM_TOKEN,
  WEBHOOK_SECRET,
  type DoctorWorld,
} from './harness.ts';

let world: DoctorWorld;
beforeEach(async () => {
  world = await startDoctorWorld();
});
afterEach(async () => {
  await world.close();
});

describe('threadline doctor: a good setup', () => {
  it('prints one ✓ line per check and a summary, and exits 0', async () => {
    const run = await world.run();
    expect(run.code, run.text).toBe(0);
    expect(
      run.lines.slice(0, -1).every((line) => line.startsWith('✓ ')),
      run.text,
    ).toBe(true);
    expect(run.line('settings')).toMatch(/Slack in Socket Mode, default channel C0DEFAULT, embedded store in .*, platforms: telegram/);
    expect(run.line('store')).toContain(`embedded store ${join(world.dataDir, 'threadline.db')}: a write, a read and a delete work`);
    expect(run.line('SLACK_BOT_TOKEN')).toBe('✓ SLACK_BOT_TOKEN: bot @threadline in workspace Threadline Test (T0THREAD)');
    expect(run.line('scopes')).toMatch(/^✓ scopes: the token has all \d+ bot scopes manifest.yml asks for$/);
    expect(run.line('SLACK_APP_TOKEN')).toMatch(/^✓ SLACK_APP_TOKEN: Slack accepts it for Socket Mode/);
    expect(run.line('#c0default (C0DEFAULT)')).toBe('✓ #c0default (C0DEFAULT): the bot is a member (the default channel, DEFAULT_CHANNEL)');
    expect(run.line('routes')).toMatch(/^✓ routes: no language is routed yet/);
    expect(run.line('TELEGRAM_BOT_TOKEN')).toBe('✓ TELEGRAM_BOT_TOKEN: bot @threadline_bot (7777777) accepts the token');
    expect(run.line('telegram webhook')).toBe('✓ telegram webhook: none set, as long polling needs');
    expect(run.lines.at(-1)).toBe(`All ${run.lines.length - 1} checks passed: Threadline is ready to start`);
  });

  it('changes nothing: no post in Slack, no webhook set or deleted on Telegram', async () => {
    world.telegram.presetWebhook('https://elsewhere.example.com/hook');
    await world.run();
    expect(world.slack.calls.map((call) => call.method).sort()).toEqual(['apps.connections.open', 'auth.test', 'conversations.info']);
    expect(world.telegram.calls.map((call) => call.method).sort()).toEqual(['getMe', 'getWebhookInfo']);
    expect(world.telegram.webhook?.url).toBe('https://elsewhere.example.com/hook');
  });

  it('never prints a token or a secret', async () => {
    const run = await world.run({ SLACK_SIGNING_SECRET: SIGNING_SECRET, TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET });
    for (const secret of [BOT_TOKEN, APP_TOKEN, SIGNING_SECRET, TELEGRAM_TOKEN, WEBHOOK_SECRET]) expect(run.text).not.toContain(secret);
  });

  it('checks HTTP mode without an app-level token', async () => {
    const run = await world.run({ SLACK_APP_TOKEN: '', SLACK_SIGNING_SECRET: SIGNING_SECRET });
    expect(run.code, run.text).toBe(0);
    expect(run.line('settings')).toContain('Slack in HTTP mode (POST /slack/events)');
    expect(run.line('SLACK_APP_TOKEN')).toBeUndefined();
  });

  it('passes on Redis (STORE_URL)', async () => {
    const run = await world.run({ STORE_URL: redisUrl });
    expect(run.code, run.text).toBe(0);
    expect(run.line('settings')).toContain('Redis store (STORE_URL)');
    expect(run.line('store')).toMatch(/^✓ store: Redis at redis:\/\/.*: a write, a read and a delete work$/);
  });

  it('reads .env below the environment, as npm start does', async () => {
    const envFile = join(world.dataDir, '.env');
    writeFileSync(envFile, `SLACK_BOT_TOKEN=${BOT_TOKEN}\nDEFAULT_CHANNEL=C0FROMFILE\n`);
    const { SLACK_BOT_TOKEN: _token, DEFAULT_CHANNEL: _channel, ...rest } = world.env;
    const run = await doctor(rest, envFile);
    expect(run.code, run.text).toBe(0);
    expect(run.line('settings')).toContain(`default channel C0FROMFILE`);
    expect(run.line('settings')).toContain(`read from the environment and ${envFile}`);
    expect(run.line('#c0fromfile (C0FROMFILE)')).toMatch(/^✓ /);
  });
});

describe('threadline doctor: settings', () => {
  it('names a bad variable in one ✗ line, runs nothing that needs it, and exits 1', async () => {
    const run = await world.run({ SLACK_BOT_TOKEN: 'xoxp-user-token' });
    expect(run.code).toBe(1);
    expect(run.lines).toHaveLength(2);
    expect(run.lines[0]).toMatch(/^✗ settings: SLACK_BOT_TOKEN must start with xoxb-: fix it in \.env or the environment/);
    expect(run.lines[1]).toMatch(
      /^1 of 1 checks failed: fix the ✗ lines above, then run threadline doctor again; the store, Slack and platform checks run once the settings are valid$/,
    );
    expect(world.slack.calls).toEqual([]);
    expect(world.telegram.calls).toEqual([]);
  });

  it('names a missing required variable', async () => {
    const run = await world.run({ DEFAULT_CHANNEL: '' });
    expect(run.code).toBe(1);
    expect(run.lines[0]).toMatch(/^✗ settings: DEFAULT_CHANNEL is required/);
  });

  it('names a bad platform variable and still checks Slack and the store', async () => {
    const run = await world.run({ TELEGRAM_BOT_TOKEN: 'not-a-token' });
    expect(run.code).toBe(1);
    expect(run.line('settings')).toBeDefined();
    expect(run.lines).toContainEqual(
      expect.stringMatching(/^✗ settings: TELEGRAM_BOT_TOKEN must look like 123456:ABC-.*\(telegram is not checked until then\)$/),
    );
    expect(run.line('SLACK_BOT_TOKEN')).toMatch(/^✓ /);
    expect(run.line('store')).toMatch(/^✓ /);
    expect(run.line('TELEGRAM_BOT_TOKEN')).toBeUndefined();
  });

  it('warns when no platform is configured', async () => {
    const run = await world.run({ TELEGRAM_BOT_TOKEN: '', TELEGRAM_API_ROOT: '' });
    expect(run.code, run.text).toBe(0);
    expect(run.line('platforms')).toMatch(
      /^! platforms: none is configured, so no customer message can arrive: set a platform's variables, e\.g\. TELEGRAM_BOT_TOKEN/,
    );
    expect(run.lines.at(-1)).toMatch(/checks passed, 1 warning \(!\): Threadline can start; read the ! lines$/);
  });
});
