import nock from 'nock';
import { afterAll } from 'vitest';

// No test may reach the internet: only the local fakes on loopback are allowed.
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);

// A promise nobody awaited that rejects, or an exception nobody caught, fails the test file it
// happened in, naming it, even when it happened between tests or after the last assertion.
const unexpected: string[] = [];
const record = (kind: string) => (error: unknown) => {
  unexpected.push(`${kind}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
};
const onRejection = record('unhandledRejection');
const onException = record('uncaughtException');
process.on('unhandledRejection', onRejection);
process.on('uncaughtException', onException);
afterAll(() => {
  process.off('unhandledRejection', onRejection);
  process.off('uncaughtException', onException);
  if (unexpected.length > 0) throw new Error(`${unexpected.length} unhandled error(s) in this test file:\n${unexpected.join('\n')}`);
});
