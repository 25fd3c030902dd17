/**
 * A product stage: timed into the mission's timings (timing.ts) and, when it throws, failed as the
 * product it was writing, with retryability from the file system's error code.
 */
import { DriftlineError } from '../errors.js';
import { stageTimer, type StageTimer } from './timing.js';

/** Local-disk failures another attempt (possibly on another worker) may not hit. */
const TRANSIENT_FS_CODES = new Set(['ENOSPC', 'EIO', 'EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY']);

function productError(stage: string, err: unknown): DriftlineError {
  if (err instanceof DriftlineError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const message = err instanceof Error ? err.message : String(err);
  return new DriftlineError('E_INTERNAL', `products: ${stage} failed: ${message}`, {
    cause: err,
    retryable: code !== undefined && TRANSIENT_FS_CODES.has(code),
  });
}

/** A stage's error as the product it was writing (productError), timed into timingsMs. */
export function productStages(timingsMs: Record<string, number>): StageTimer {
  const time = stageTimer(timingsMs);
  return (stage, fn) =>
    time(stage, async () => {
      try {
        return await fn();
      } catch (err) {
        throw productError(stage, err);
      }
    });
}
