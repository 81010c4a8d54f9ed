/**
 * The settings part of the doctor: the same loadConfig the service runs at start-up (the environment
 * over `.env`), then each platform's readConfig. Without valid core settings nothing else can be checked.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig, type Config, type Env } from '../../config.ts';
import { ConfigError } from '../../errors.ts';
import { fail, ok, warn, type CheckResult } from '../results.ts';
import { readPlatforms, type ConfiguredPlatform } from './platforms.ts';

/** What the settings allow the other checks to do. */
export interface SettingsOutcome {
  readonly results: readonly CheckResult[];
  /** undefined when the core settings are invalid. */
  readonly config?: Config;
  readonly platforms: readonly ConfiguredPlatform[];
}

/** Reads the settings as `npm start` does; `envFile` is the `.env` read below the environment. */
export function checkSettings(env: Env, envFile: string): SettingsOutcome {
  const source = existsSync(envFile)
    ? `from the environment and ${resolve(envFile)}`
    : `from the environment only: there is no ${resolve(envFile)}`;
  let config: Config;
  try {
    config = loadConfig(env, { envFile });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const problem = error.message.replace(/^Invalid configuration: /, '');
    return {
      results: [fail('settings', `${problem}: fix it in .env or the environment (read ${source}); the other checks need valid settings`)],
      platforms: [],
    };
  }
  const { platforms, results } = readPlatforms(config.env);
  const slack = config.slack.mode === 'socket' ? 'Slack in Socket Mode' : 'Slack in HTTP mode (POST /slack/events)';
  const store = config.storeUrl === undefined ? `embedded store in ${config.dataDir}` : 'Redis store (STORE_URL)';
  const names = platforms.map(({ factory }) => factory.platform);
  const summary = ok(
    'settings',
    `${slack}, default channel ${config.defaultChannel}, ${store}, platforms: ${names.join(', ') || 'none'} (read ${source})`,
  );
  const none =
    names.length === 0 && results.length === 0
      ? [
          warn(
            'platforms',
            "none is configured, so no customer message can arrive: set a platform's variables, e.g. TELEGRAM_BOT_TOKEN (see .env.example)",
          ),
        ]
      : [];
  return { results: [summary, ...results, ...none], config, platforms };
}
