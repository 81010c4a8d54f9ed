/**
 * Process entry: load the configuration, build and start the app, stop cleanly on SIGINT/SIGTERM.
 * The only place that calls process.exit. A bad setting prints one line naming the variable.
 */
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { ConfigError, StartupError, StoreError } from './errors.ts';

/**
 * How long a stop may take before the process exits anyway: below Docker's default 10 s between
 * SIGTERM and SIGKILL. A stop waits for running jobs, and a job whose Slack call is being retried
 * (Slack down) can take half a minute; exiting then is as safe as a crash (the journal keeps the
 * job, and the next start resumes it), but it is logged and exits 1.
 */
const STOP_DEADLINE_MS = 8000;

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const app = await createApp(config);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.logger.info({ signal }, 'stopping');
    setTimeout(() => {
      app.logger.warn({ signal, afterMs: STOP_DEADLINE_MS }, 'stop timed out; exiting with jobs unfinished (they stay in the journal)');
      process.exit(1);
    }, STOP_DEADLINE_MS);
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        app.logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('unhandledRejection', (error) => app.logger.error({ err: error }, 'unhandled rejection'));
  try {
    await app.start();
  } catch (error) {
    // Release what start() took (the port, the store file) before saying why and exiting.
    stopping = true;
    await app.stop().catch(() => undefined);
    throw error;
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof StoreError) {
    process.stderr.write(`${error.message}\n`);
  } else if (error instanceof StartupError) {
    // The message already says what happened and what to do; its cause would only repeat it.
    process.stderr.write(`Threadline could not start: ${error.message}\n`);
  } else {
    process.stderr.write(`Threadline could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    if (error instanceof Error && error.cause)
      process.stderr.write(`  cause: ${String(error.cause instanceof Error ? error.cause.message : error.cause)}\n`);
  }
  process.exit(1);
});
