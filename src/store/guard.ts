/**
 * The error boundary every store backend shares: each operation runs through `run`, which refuses
 * work after close and turns any backend failure into a StoreError that names the operation and
 * keeps the cause. One place, so that no backend can let a raw driver error (or a silent
 * "not found") through.
 */
import { StoreError } from '../errors.ts';

/** Runs one store operation, or throws StoreError. */
export type Guard = <R>(what: string, op: () => R | Promise<R>) => Promise<R>;

/** A guard plus the close latch it checks. */
export interface StoreGuard {
  readonly run: Guard;
  /** Marks the store closed; true the first time (the caller then releases its resources). */
  close(): boolean;
}

/** Creates the guard of one store; `fail` words a backend error for this backend. */
export function createGuard(closedMessage: string, fail: (what: string, cause: unknown) => StoreError): StoreGuard {
  let closed = false;
  return {
    async run(what, op) {
      if (closed) throw new StoreError(closedMessage);
      try {
        return await op();
      } catch (cause) {
        throw fail(what, cause);
      }
    },
    close() {
      if (closed) return false;
      closed = true;
      return true;
    },
  };
}

/** A duration argument, refused with StoreError unless it is a positive number of milliseconds. */
export function checkMs(name: string, ms: number): number {
  if (!(Number.isFinite(ms) && ms > 0)) throw new StoreError(`${name} must be a positive number of milliseconds, got ${ms}`);
  return ms;
}

/** A sorted index score, refused with StoreError unless finite: NaN or Infinity would sort nowhere sensible. */
export function checkScore(score: number): number {
  if (!Number.isFinite(score)) throw new StoreError(`A sorted index score must be a finite number, got ${score}`);
  return score;
}
