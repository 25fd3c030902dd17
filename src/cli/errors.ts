/** CLI failures and their exit codes. */
import { DriftlineError } from '../errors.js';

export const EXIT = {
  OK: 0,
  /** The command ran and the answer is "no" (service down, mission not found, doctor found problems). */
  FAILED: 1,
  /** Bad flags, bad configuration or a bad job file: nothing was done. */
  USAGE: 2,
} as const;

export class UsageError extends Error {}

/** Message and exit code for anything a command threw. */
export function describeFailure(err: unknown): { message: string; exitCode: number } {
  if (err instanceof UsageError) return { message: err.message, exitCode: EXIT.USAGE };
  if (err instanceof DriftlineError) {
    const usage = err.code === 'E_CONFIG' || err.code === 'E_JOB_INVALID' || err.code === 'E_JOB_JSON' || err.code === 'E_OBJECT_TYPE';
    return { message: err.toString(), exitCode: usage ? EXIT.USAGE : EXIT.FAILED };
  }
  return { message: err instanceof Error ? err.message : String(err), exitCode: EXIT.FAILED };
}
