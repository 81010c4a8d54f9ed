/**
 * Runs `threadline doctor` (runDoctor) as an operator would, against the local Slack and Telegram
 * fakes, with the embedded store in a temporary DATA_DIR (or Redis), and keeps the lines it printed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRoutingSettings, createSettingsStore } from '../../src/engine/settings.ts';
import { runDoctor } from '../../src/doctor/doctor.ts';
import { createSqliteStore } from '../../src/store/sqlite-store.ts';
import { startFakeSlack, type FakeSlack, type FakeSlackOptions } from '../fakes/slack-api.ts';
import { startFakeTelegramApi, type FakeTelegramApi } from '../fakes/telegram-api.ts';

export const BOT_TOKEN = 'xoxb-2222-3333-doctortesttoken';
export const APP_TOKEN = 'xapp-1-A0THREAD-4444-doctortesttoken';
export const SIGNING_SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
export const TELEGRAM_TOKEN = '7777777:AAE2eDoctorTokenForThreadlineOnly_x';
export const WEBHOOK_SECRET = 'tg-webhook-secret_123';
export const DEFAULT_CHANNEL = 'C0DEFAULT';
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The fakes, a data directory, and an environment under which every check passes. */
export interface DoctorWorld {
  readonly slack: FakeSlack;
  readonly telegram: FakeTelegramApi;
  readonly dataDir: string;
  /** Socket Mode, long polling, embedded store in `dataDir`. */
  readonly env: Record<string, string>;
  /** Runs the doctor with `env` plus `changes` (an empty value unsets a variable, as in .env). */
  run(changes?: Record<string, string>): Promise<DoctorRun>;
  /** Sets routes as /inbox would, in the embedded store. */
  route(routes: Record<string, string>, defaultChannel?: string): Promise<void>;
  close(): Promise<void>;
}

export interface DoctorRun {
  readonly code: number;
  readonly lines: readonly string[];
  readonly text: string;
  /** The line for `subject` (`✓ subject: …`), or undefined. */
  line(subject: string): string | undefined;
}

export async function startDoctorWorld(options: { slack?: FakeSlackOptions } = {}): Promise<DoctorWorld> {
  const slack = await startFakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN, ...options.slack });
  const telegram = await startFakeTelegramApi({ token: TELEGRAM_TOKEN });
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-doctor-'));
  const env: Record<string, string> = {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_APP_TOKEN: APP_TOKEN,
    SLACK_API_URL: slack.apiUrl,
    DEFAULT_CHANNEL,
    DATA_DIR: dataDir,
    TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    TELEGRAM_API_ROOT: telegram.apiRoot,
  };
  return {
    slack,
    telegram,
    dataDir,
    env,
    run: (changes = {}) => doctor({ ...env, ...changes }, join(dataDir, 'no-such.env')),
    async route(routes, defaultChannel) {
      const store = createSqliteStore({ dataDir });
      const settings = createRoutingSettings(createSettingsStore(store, { owner: 'test' }), DEFAULT_CHANNEL);
      for (const [language, channel] of Object.entries(routes)) await settings.setRoute('UADMIN', language, channel);
      if (defaultChannel !== undefined) await settings.setDefaultChannel('UADMIN', defaultChannel);
      await store.close();
    },
    async close() {
      await slack.close();
      await telegram.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** runDoctor with `env` and `envFile` as the `.env`; the lines it printed. */
export async function doctor(env: Record<string, string>, envFile: string): Promise<DoctorRun> {
  const lines: string[] = [];
  const code = await runDoctor(env, (line) => lines.push(line), { envFile });
  return {
    code,
    lines,
    text: lines.join('\n'),
    line: (subject) => lines.find((l) => l.slice(2).startsWith(`${subject}: `)),
  };
}

/** A localhost port nothing listens on: connections are refused at once. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
