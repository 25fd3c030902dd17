/** `driftline migrate`: apply sql/NNN_*.sql that are not applied yet (idempotent, lock-protected). */
import { loadConfig } from '../../config.js';
import { migrate, type MigrateResult } from '../../db/migrate.js';
import { asDriftlineError, DriftlineError } from '../../errors.js';
import { backoffMs, sleep } from '../../worker/backoff.js';
import { numberFlag, parse } from '../args.js';
import { EXIT } from '../errors.js';
import { err, out, printJson } from '../output.js';
import { where } from '../reachability.js';

const USAGE = `usage: driftline migrate [--wait SECONDS] [--json]

Applies the numbered migrations in sql/ to DATABASE_SCHEMA (created if missing). Safe to run again
and from several processes at once (PostgreSQL advisory lock).

  --wait SECONDS  while PostgreSQL is not reachable yet (still starting: docker compose), keep
                  retrying for up to SECONDS before failing (default 0: fail at once)`;

/** Retry delays while waiting: 0.5 s doubling to 5 s, so a server that comes up is used within 5 s. */
const WAIT_BASE_MS = 500;
const WAIT_MAX_MS = 5000;

export async function migrateCommand(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, { wait: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
  if (v.help) {
    out(USAGE);
    return EXIT.OK;
  }
  const waitSeconds = numberFlag(v.wait as string | undefined, 'wait', { min: 0, max: 86_400 }) ?? 0;
  const config = loadConfig();
  const result = await migrateWaiting(() => migrate(config), waitSeconds, where(config.DATABASE_URL));
  if (v.json) printJson(result);
  else if (result.applied.length === 0) out(`schema ${result.schema} is up to date (version ${result.current})`);
  else {
    for (const m of result.applied) out(`applied ${String(m.version).padStart(3, '0')}_${m.name}`);
    out(`schema ${result.schema} now at version ${result.current}`);
  }
  return EXIT.OK;
}

/** Retry transient failures (connection refused, "the database system is starting up") until the deadline. */
async function migrateWaiting(run: () => Promise<MigrateResult>, waitSeconds: number, at: string): Promise<MigrateResult> {
  const deadline = Date.now() + waitSeconds * 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (e) {
      const error = asDriftlineError(e, 'E_DATABASE');
      if (!error.retryable || waitSeconds === 0) throw error;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new DriftlineError('E_DATABASE', `PostgreSQL at ${at} still not reachable after ${waitSeconds} s: ${error.message}`, { cause: error });
      }
      const delayMs = Math.min(left, backoffMs(attempt, WAIT_BASE_MS, WAIT_MAX_MS));
      err(`PostgreSQL at ${at} is not reachable yet (${error.message}); retrying in ${(delayMs / 1000).toFixed(1)} s, for up to ${Math.ceil(left / 1000)} s more`);
      await sleep(delayMs);
    }
  }
}
