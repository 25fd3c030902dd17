import { DriftlineError } from '../errors.js';

/** Any S3 failure (connection refused, 5xx, throttling, credentials) as a retryable E_STORAGE. */
export function storageError(operation: string, err: unknown): DriftlineError {
  if (err instanceof DriftlineError) return err;
  const e = err as { name?: string; message?: string; code?: string };
  const detail = e?.message || e?.code || e?.name || String(err);
  return new DriftlineError('E_STORAGE', `s3 ${operation}: ${detail}`, { cause: err });
}
