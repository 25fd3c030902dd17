/**
 * Every API error is `{"error": {"code": "E_...", "message": "..."}}` (plus `fields` for a job that
 * failed validation), with the HTTP status chosen here from the DriftlineError code. Messages of
 * unexpected (5xx) errors are replaced by a generic one: they can carry internal detail.
 */
import { DriftlineError, type ErrorCode } from '../errors.js';

const STATUS: Partial<Record<ErrorCode, number>> = {
  E_JOB_JSON: 400,
  E_JOB_INVALID: 400,
  E_OBJECT_TYPE: 400,
  E_REQUEST: 400,
  E_AUTH: 401,
  E_NOT_FOUND: 404,
  E_CONFLICT: 409,
  E_RATE_LIMITED: 429,
  E_DATABASE: 503,
  E_QUEUE: 503,
  E_STORAGE: 503,
};

export interface FieldIssue {
  /** Dotted path, e.g. "params.latitude". */
  field: string;
  message: string;
}

export interface ErrorBody {
  error: { code: string; message: string; fields?: FieldIssue[] };
}

/** An error for a request, with its HTTP status and optional per-field issues. */
export class ApiError extends DriftlineError {
  readonly statusCode: number;
  readonly fields?: FieldIssue[];

  constructor(code: ErrorCode, message: string, opts: { statusCode?: number; fields?: FieldIssue[] } = {}) {
    super(code, message);
    this.statusCode = opts.statusCode ?? STATUS[code] ?? 500;
    if (opts.fields !== undefined) this.fields = opts.fields;
  }
}

export function statusOf(err: DriftlineError): number {
  return err instanceof ApiError ? err.statusCode : (STATUS[err.code] ?? 500);
}

export function errorBody(code: string, message: string, fields?: FieldIssue[]): ErrorBody {
  return { error: { code, message, ...(fields ? { fields } : {}) } };
}

/** Fastify's own errors (bad JSON, body too large, wrong content type) as our codes. */
export function fromFastifyError(err: { code?: string; statusCode?: number; message: string }): { status: number; body: ErrorBody } | null {
  const status = err.statusCode ?? 500;
  if (status < 400 || status >= 500) return null;
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: errorBody('E_REQUEST', `request body is larger than the limit: ${err.message}`) };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, body: errorBody('E_JOB_JSON', `body is not valid JSON: ${err.message}`) };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, body: errorBody('E_REQUEST', 'send the job as application/json') };
    default:
      return { status, body: errorBody(status === 429 ? 'E_RATE_LIMITED' : 'E_REQUEST', err.message) };
  }
}
