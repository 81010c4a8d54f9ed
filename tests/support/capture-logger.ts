import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger.ts';

/** A real pino logger whose lines are kept in memory, for asserting what was (not) logged. */
export function captureLogger(options: { level?: string; secrets?: readonly string[] } = {}) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(line);
      done();
    },
  });
  const logger = createLogger({ level: options.level ?? 'debug', secrets: options.secrets ?? [] }, stream);
  return {
    logger,
    lines,
    entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown> & { level: number; msg: string }),
    text: () => lines.join('\n'),
  };
}
