/**
 * One registry of driftline's errors, each with a stable code and whether a retry can help.
 *
 * The worker decides from `retryable` alone: a permanent error (bad job, unknown category, forcing
 * that does not cover the mission) fails the mission at once; a transient one (Redis, PostgreSQL, S3,
 * network) is retried with backoff up to MAX_ATTEMPTS.
 */

export const ERROR_CODES = {
  E_JOB_JSON: { retryable: false, summary: 'job is not valid JSON' },
  E_JOB_INVALID: { retryable: false, summary: 'job failed validation' },
  E_OBJECT_TYPE: { retryable: false, summary: 'unknown Leeway object category' },
  E_MISSION_TOO_LARGE: { retryable: false, summary: 'mission needs more memory, output times or particle-steps than allowed (MAX_MISSION_MB)' },
  E_FORCING_INVALID: { retryable: false, summary: 'forcing file is unreadable or has no usable variables' },
  E_FORCING_COVERAGE: { retryable: false, summary: 'forcing does not cover the mission in space or time' },
  E_FORCING_MISSING: { retryable: false, summary: 'mission names no forcing and FORCING_FALLBACK=fail' },
  E_FORCING_FETCH: { retryable: true, summary: 'forcing could not be fetched (network or S3)' },
  E_FORCING_DENIED: { retryable: false, summary: 'forcing source refused by the forcing source policy (FORCING_ALLOW…)' },
  E_FORCING_LIMIT: { retryable: false, summary: 'forcing download exceeds FORCING_MAX_MB or FORCING_FETCH_TIMEOUT_SECONDS' },
  E_STORAGE: { retryable: true, summary: 'object storage (S3) failed' },
  E_DATABASE: { retryable: true, summary: 'PostgreSQL failed' },
  E_QUEUE: { retryable: true, summary: 'Redis failed' },
  E_CONFIG: { retryable: false, summary: 'configuration is invalid' },
  E_DISK: { retryable: true, summary: 'not enough free disk in the work directory for the mission (another worker, or this one later, may have it)' },
  E_CANCELLED: { retryable: true, summary: 'mission was interrupted (shutdown) and returned to the queue' },
  E_INTERNAL: { retryable: false, summary: 'internal error' },
  // HTTP API (src/api): request errors, each with its HTTP status in src/api/errors.ts.
  E_REQUEST: { retryable: false, summary: 'request is malformed (bad JSON, bad query, body too large)' },
  E_AUTH: { retryable: false, summary: 'missing, unknown or revoked API key' },
  E_NOT_FOUND: { retryable: false, summary: 'no such mission or route' },
  E_CONFLICT: { retryable: false, summary: 'the mission is in a state that does not allow this' },
  E_RATE_LIMITED: { retryable: true, summary: 'too many requests; retry after the Retry-After header' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class DriftlineError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  /** Dotted path of the offending field, e.g. `params.latitude`, when the error is about one field. */
  readonly field?: string;

  constructor(code: ErrorCode, message: string, opts: { field?: string; cause?: unknown; retryable?: boolean } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'DriftlineError';
    this.code = code;
    this.retryable = opts.retryable ?? ERROR_CODES[code].retryable;
    if (opts.field !== undefined) this.field = opts.field;
  }

  /** `E_JOB_INVALID: params.latitude: Number must be less than or equal to 90` */
  override toString(): string {
    return `${this.code}: ${this.message}`;
  }
}

/** Any thrown value as a DriftlineError; unknown errors are E_INTERNAL (permanent) unless they look like I/O. */
export function asDriftlineError(err: unknown, fallback: ErrorCode = 'E_INTERNAL'): DriftlineError {
  if (err instanceof DriftlineError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new DriftlineError(fallback, message, { cause: err });
}
