/**
 * The platforms part of the doctor: which platforms the settings turn on (each adapter's readConfig),
 * and each one's own checks (Channel.check). Like src/app.ts this is a composition root, the only
 * other file that may import the adapter registry: it builds channels, but never starts them.
 */
import { channelFactories } from '../../../adapters/index.ts';
import { storeAdapterState } from '../../adapter-state.ts';
import { asGroupFactory, type AdapterState, type ChannelGroupFactory, type PublicFiles } from '../../channel.ts';
import type { Platform } from '../../messages.ts';
import { createMemoryStore } from '../../store/memory-store.ts';
import { ConfigError } from '../../errors.ts';
import { createLogger } from '../../logger.ts';
import { fail, messageOf, warn, type CheckResult } from '../results.ts';

/** A platform whose variables are set and valid. */
export interface ConfiguredPlatform {
  readonly factory: ChannelGroupFactory;
  readonly settings: NonNullable<unknown>;
}

/** Every platform whose variables are set; a malformed one is a `fail` naming its variable. */
export function readPlatforms(env: Readonly<Record<string, string>>): { platforms: ConfiguredPlatform[]; results: CheckResult[] } {
  const platforms: ConfiguredPlatform[] = [];
  const results: CheckResult[] = [];
  for (const factory of channelFactories.map(asGroupFactory)) {
    const name = factory.platforms.join(', ');
    try {
      const settings = factory.readConfig(env);
      if (settings !== undefined && settings !== null) platforms.push({ factory, settings });
    } catch (error) {
      results.push(
        error instanceof ConfigError
          ? fail(
              'settings',
              `${error.message.replace(/^Invalid configuration: /, '')}: fix it in .env or the environment (${name} is not checked until then)`,
            )
          : fail('settings', `reading the ${name} settings failed unexpectedly (${messageOf(error)}): report this as a bug`),
      );
    }
  }
  return { platforms, results };
}

/** The configured secrets of every platform, to keep out of the doctor's output. */
export function platformSecrets(platforms: readonly ConfiguredPlatform[]): string[] {
  return platforms.flatMap(({ factory, settings }) => factory.secretsOf(settings));
}

/** What the channels are built with besides their own settings. */
export interface PlatformCheckOptions {
  /** PUBLIC_URL, when set: channels are built with public files, as `npm start` builds them. */
  readonly publicUrl?: string;
}

/** Each platform's own checks, in registry order. */
export async function checkPlatforms(platforms: readonly ConfiguredPlatform[], options: PlatformCheckOptions = {}): Promise<CheckResult[]> {
  const perPlatform = await Promise.all(platforms.map(({ factory, settings }) => checkOne(factory, settings, options)));
  return perPlatform.flat();
}

/** Checks never send, so nothing is ever published; a channel only learns that files can be. */
const NO_PUBLISHING: PublicFiles = {
  publish: () => Promise.reject(new Error('threadline doctor publishes no files')),
};

async function checkOne(
  factory: ChannelGroupFactory,
  settings: NonNullable<unknown>,
  options: PlatformCheckOptions,
): Promise<readonly CheckResult[]> {
  const group = factory.create(settings, (platform) => ({
    logger: createLogger({ level: 'silent' }),
    state: scratchState(platform),
    now: Date.now,
    ...(options.publicUrl === undefined ? {} : { files: NO_PUBLISHING }),
  }));
  const results: CheckResult[] = [];
  for (const channel of group.channels) {
    if (channel.check === undefined) {
      results.push(warn(channel.platform, 'this adapter has no setup checks yet: start Threadline and watch its log for this platform'));
      continue;
    }
    try {
      results.push(...(await channel.check()));
    } catch (error) {
      // The seam says check() never throws; an adapter bug should still not hide the other platforms.
      results.push(
        fail(
          channel.platform,
          `its check failed unexpectedly (${messageOf(error)}): report this as a bug, and start Threadline to see the platform's own error`,
        ),
      );
    }
  }
  return results;
}

/** Checks are read-only, so an adapter's state lives in a memory store for the run rather than in the shared one. */
function scratchState(platform: Platform): AdapterState {
  return storeAdapterState(createMemoryStore(), platform, 'doctor');
}
