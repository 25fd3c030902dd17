/**
 * PostgreSQL failures as DriftlineError E_DATABASE, retryable or not by SQLSTATE class:
 * 08 connection, 40 serialization/deadlock, 53 insufficient resources, 57 operator intervention
 * (57P01 is what every client sees when the server restarts), 58 system error, and errors with no
 * SQLSTATE at all (ECONNREFUSED, ECONNRESET, timeouts) can go away on their own; everything else
 * (42 undefined table: not migrated; 22 bad data; 23 constraint) will fail the same way again.
 */
import { DriftlineError } from '../errors.js';

const TRANSIENT_CLASSES = new Set(['08', '40', '53', '57', '58']);

export function isTransientPgError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true; // network-level error
  return TRANSIENT_CLASSES.has(code.slice(0, 2));
}

export function databaseError(operation: string, err: unknown): DriftlineError {
  if (err instanceof DriftlineError) return err;
  const e = err as { message?: string; code?: string };
  const sqlState = typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? ` (SQLSTATE ${e.code})` : '';
  const message = `${operation}: ${e?.message || (e as { errors?: Array<{ message: string }> })?.errors?.[0]?.message || e?.code || String(err)}${sqlState}`;
  return new DriftlineError('E_DATABASE', message, { cause: err, retryable: isTransientPgError(err) });
}
