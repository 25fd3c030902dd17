/**
 * Operator-facing sentences for a service that did not answer: "Redis at redis://127.0.0.1:6379 is not
 * reachable: connection refused" instead of the client library's own words ("Reached the max retries
 * per request limit", "connect ECONNREFUSED"). The URL is shown with its password replaced by ***.
 * Used by `driftline doctor` and the commands that need Redis or PostgreSQL (services.ts).
 */
import { redactUrl } from '../config.js';

export type Service = 'Redis' | 'PostgreSQL' | 'S3';

/** Errno and server codes that mean "could not talk to it at all", in plain words. */
const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'connection refused (nothing listens there)',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name could not be resolved (DNS not answering)',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset by the server',
  ENOENT: 'no socket at that path',
  EACCES: 'permission denied on the socket',
};

interface ErrorLike {
  code?: string;
  message?: string;
  name?: string;
  errors?: ErrorLike[];
}

/** The first errno-like code of an error or of an AggregateError's members (IPv6 and IPv4 both refused). */
function codeOf(err: ErrorLike | null | undefined): string | undefined {
  if (!err) return undefined;
  return err.code ?? err.errors?.map((e) => e.code).find((c) => c !== undefined);
}

function messageOf(err: ErrorLike | null | undefined): string {
  return err?.message || err?.errors?.[0]?.message || err?.code || err?.name || String(err);
}

/** Where the service is, for messages: the URL with its password masked, or a socket path as is. */
export function where(url: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? redactUrl(url) : url;
}

/**
 * One sentence naming the service, where it is and what went wrong.
 * `err` is the most telling error at hand: for ioredis the last 'error' event (the socket's errno),
 * not the failed command's "max retries" rejection.
 */
export function describeServiceFailure(service: Service, url: string, err: unknown): string {
  const e = err as ErrorLike | null;
  const code = codeOf(e);
  const message = messageOf(e);
  const at = `${service} at ${where(url)}`;
  if (code !== undefined && UNREACHABLE[code] !== undefined) return `${at} is not reachable: ${UNREACHABLE[code]}`;
  if (/no answer within|timeout/i.test(message)) return `${at} is not reachable: ${message}`;
  // Redis: NOAUTH (a password is needed), WRONGPASS (wrong user/password); PostgreSQL: 28P01, 28000.
  if (/^(NOAUTH|WRONGPASS)|invalid password|password authentication failed|no pg_hba\.conf entry/i.test(message) || code === '28P01' || code === '28000') {
    return `${at} refused the credentials: ${message}`;
  }
  return `${at}: ${message}`;
}
