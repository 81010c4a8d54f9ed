/**
 * The platforms part of the doctor: which platforms the settings turn on (each adapter's readConfig),
 * and each one's own checks (Channel.check). Like src/app.ts this is a composition root, the only
 * other file that may import the adapter registry: it builds channels, but never starts them.
 */
import { channelFactories } from '../../../adapters/index.ts';
import type { AdapterState, Channel, ChannelFactory } from '../../channel.ts';
import { ConfigError } from '../../errors.ts';
import { createLogger } from '../../logger.ts';
import { fail, messageOf, warn, type CheckResult } from '../results.ts';

/** A platform whose variables are set and valid. */
export interface ConfiguredPlatform {
  readonly factory: ChannelFactory;
  readonly settings: NonNullable<unknown>;
}

/** Every platform whose variables are set; a malformed one is a `fail` naming its variable. */
export function readPlatforms(env: Readonly<Record<string, string>>): { platforms: ConfiguredPlatform[]; results: CheckResult[] } {
  const platforms: ConfiguredPlatform[] = [];
  const results: CheckResult[] = [];
  for (const factory of channelFactories) {
    try {
      const settings = factory.readConfig(env);
      if (settings !== undefined && settings !== null) platforms.push({ factory, settings });
    } catch (error) {
      results.push(
        error instanceof ConfigError
          ? fail(
              'settings',
              `${error.message.replace(/^Invalid configuration: /, '')}: fix it in .env or the environment (${factory.platform} is not checked until then)`,
            )
          : fail('settings', `reading the ${factory.platform} settings failed unexpectedly (${messageOf(error)}): report this as a bug`),
      );
    }
  }
  return { platforms, results };
}

/** The configured secrets of every platform, to keep out of the doctor's output. */
export function platformSecrets(platforms: readonly ConfiguredPlatform[]): string[] {
  return platforms.flatMap(({ factory, settings }) => factory.secretsOf(settings));
}

/** Each platform's own checks, in registry order. */
export async function checkPlatforms(platforms: readonly ConfiguredPlatform[]): Promise<CheckResult[]> {
  const perPlatform = await Promise.all(platforms.map(({ factory, settings }) => checkOne(factory, settings)));
  return perPlatform.flat();
}

async function checkOne(factory: ChannelFactory, settings: NonNullable<unknown>): Promise<readonly CheckResult[]> {
  const channel: Channel = factory.create(settings, { logger: createLogger({ level: 'silent' }), state: scratchState(), now: Date.now });
  if (channel.check === undefined)
    return [warn(factory.platform, 'this adapter has no setup checks yet: start Threadline and watch its log for this platform')];
  try {
    return await channel.check();
  } catch (error) {
    // The seam says check() never throws; an adapter bug should still not hide the other platforms.
    return [
      fail(
        factory.platform,
        `its check failed unexpectedly (${messageOf(error)}): report this as a bug, and start Threadline to see the platform's own error`,
      ),
    ];
  }
}

/** Checks are read-only, so an adapter's state lives in memory for the run rather than in the store. */
function scratchState(): AdapterState {
  const values = new Map<string, unknown>();
  return {
    get: async <T>(key: string) => values.get(key) as T | undefined,
    set: async <T>(key: string, value: T) => void values.set(key, value),
  };
}
