/**
 * How a Slack payload without its documented fields is reported: one warning naming the kind and
 * the fields (paths and expected types only, never a value: payloads carry people's words). The
 * payload is then acknowledged and ignored; Slack would only deliver the same bad payload again.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';

/** `path: problem; …` for a failed zod parse. */
export function issuesText(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`).join('; ');
}

/** Logs that a `kind` payload (`reaction_added`, `message`, `/inbox`) was ignored for lacking what `error` says. */
export function warnMalformed(logger: Logger, kind: string, error: z.ZodError): void {
  logger.warn({ kind, problem: issuesText(error) }, `slack ${kind} without the documented fields: acknowledged and ignored`);
}
