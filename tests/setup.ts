import nock from 'nock';
import { afterAll, afterEach } from 'vitest';

// No test may reach the internet: only the local fakes on loopback are allowed.
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);

// An unhandled rejection or an uncaught exception is a bug (a request nobody answers, a crash in
// production): the test during which it happened fails, naming it, and so does the file.
const escaped: string[] = [];
const record = (kind: string) => (error: unknown) => {
  escaped.push(`${kind}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
};
process.on('unhandledRejection', record('unhandled rejection'));
process.on('uncaughtException', record('uncaught exception'));

function failOnEscaped(): void {
  if (escaped.length === 0) return;
  const found = escaped.splice(0);
  throw new Error(`${found.length} error(s) escaped every handler:\n${found.join('\n')}`);
}
afterEach(failOnEscaped);
afterAll(failOnEscaped);
