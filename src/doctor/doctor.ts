/**
 * `threadline doctor`: checks a setup before (or while) it runs and prints one line per check,
 * `✓` works, `!` works but look at it, `✗` will not work and what to do, then a summary line.
 * Order: the settings (nothing else runs without them), the store (it holds the routes), then Slack
 * and each platform side by side. Read-only except for the store probe, which it deletes.
 */
import { configSecrets, type Env } from '../config.ts';
import { checkPlatforms, platformSecrets } from './checks/platforms.ts';
import { checkPublicUrl } from './checks/public-url.ts';
import { checkSettings } from './checks/settings.ts';
import { channelUses, routingNote } from './checks/slack-channels.ts';
import { checkSlack } from './checks/slack.ts';
import { checkStore, type StoreOutcome } from './checks/store.ts';
import { manifestBotScopes } from './manifest.ts';
import { fail, messageOf, type CheckResult } from './results.ts';

/** What tests change; the command uses the defaults. */
export interface DoctorOptions {
  /** The `.env` read below the environment, as `npm start` reads it (default `.env` in the working directory). */
  readonly envFile?: string;
}

const SYMBOLS: Record<CheckResult['status'], string> = { ok: '✓', warn: '!', fail: '✗' };

/** Runs every check, writing each line to `out`. Resolves with the exit code: 1 if any check failed, else 0. */
export async function runDoctor(env: Env, out: (line: string) => void, options: DoctorOptions = {}): Promise<number> {
  const counts = { ok: 0, warn: 0, fail: 0 };
  let secrets: readonly string[] = [];
  const print = (results: readonly CheckResult[]) => {
    for (const result of results) {
      counts[result.status] += 1;
      out(mask(`${SYMBOLS[result.status]} ${result.subject}: ${result.detail}`.replace(/\s+/g, ' '), secrets));
    }
  };

  const settings = checkSettings(env, options.envFile ?? '.env');
  const { config } = settings;
  if (config !== undefined) secrets = [...configSecrets(config), ...platformSecrets(settings.platforms)];
  print(settings.results);
  if (config !== undefined) {
    const store: StoreOutcome = await checkStore(config).catch((error: unknown) => ({ results: [bug('store', error)] }));
    print(store.results);
    const manifestScopes = await manifestBotScopes().catch((error: unknown) => new Error(`cannot read manifest.yml: ${messageOf(error)}`));
    const [slack, platforms, publicUrl] = await Promise.all([
      guarded('Slack', () =>
        checkSlack({ slack: config.slack, channels: channelUses(config.defaultChannel, store.routing), manifestScopes }),
      ),
      guarded('platforms', () => checkPlatforms(settings.platforms, config.publicUrl === undefined ? {} : { publicUrl: config.publicUrl })),
      guarded('PUBLIC_URL', () => checkPublicUrl(config.publicUrl)),
    ]);
    print(slack);
    const note = routingNote(store.routing);
    if (note !== undefined) print([note]);
    print(platforms);
    print(publicUrl);
  }
  out(summary(counts, config === undefined));
  return counts.fail > 0 ? 1 : 0;
}

/** A group of checks that threw (a bug: checks report failures as results) becomes one failed line. */
async function guarded(subject: string, run: () => Promise<readonly CheckResult[]>): Promise<readonly CheckResult[]> {
  try {
    return await run();
  } catch (error) {
    return [bug(subject, error)];
  }
}

function bug(subject: string, error: unknown): CheckResult {
  return fail(subject, `the check itself failed (${messageOf(error)}): report this as a bug; npm start shows the real error`);
}

function summary(counts: Record<CheckResult['status'], number>, settingsInvalid: boolean): string {
  const total = counts.ok + counts.warn + counts.fail;
  const warnings = counts.warn === 0 ? '' : `, ${counts.warn} warning${counts.warn === 1 ? '' : 's'} (!)`;
  if (counts.fail > 0) {
    const rest = settingsInvalid ? '; the store, Slack and platform checks run once the settings are valid' : '';
    return `${counts.fail} of ${total} checks failed${warnings}: fix the ✗ lines above, then run threadline doctor again${rest}`;
  }
  if (counts.warn > 0) return `${total} checks passed${warnings}: Threadline can start; read the ! lines`;
  return `All ${total} checks passed: Threadline is ready to start`;
}

/** A configured secret never reaches the output, whatever a check put in its detail. */
function mask(line: string, secrets: readonly string[]): string {
  return secrets.filter((secret) => secret.length >= 6).reduce((text, secret) => text.split(secret).join('[redacted]'), line);
}
