/** Building the doctor's check results; the type itself is the seam's (src/channel.ts), shared with adapters. */
import type { CheckResult } from '../channel.ts';

export type { CheckResult };

export const ok = (subject: string, detail: string): CheckResult => ({ status: 'ok', subject, detail });
export const warn = (subject: string, detail: string): CheckResult => ({ status: 'warn', subject, detail });
export const fail = (subject: string, detail: string): CheckResult => ({ status: 'fail', subject, detail });

/** An error's own message, for a detail line. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}
