/**
 * Numbered migrations from sql/NNN_name.sql, applied in order, each in its own transaction, and
 * recorded in driftline_migrations (version, name, sha256 of the file). Safe when several workers
 * start at once: the whole run holds a session advisory lock, so the second runner waits and then
 * finds nothing to do. A migration file changed after it was applied is an error (E_DATABASE, not
 * retryable): fix the file, never edit history.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import type { Config } from '../config.js';
import { DriftlineError } from '../errors.js';
import { databaseError } from './errors.js';
import { connectionOptions, run } from './pool.js';

/** sql/ is two levels above both src/db/ and dist/db/. */
export const SQL_DIR = new URL('../../sql/', import.meta.url);

/** Advisory lock key: "DRFT" as int32, plus a hash of the schema so schemas migrate independently. */
const LOCK_KEY = 0x44524654;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  sha256: string;
}

export interface MigrateResult {
  schema: string;
  applied: Array<{ version: number; name: string }>;
  current: number;
}

export function readMigrations(dir: URL = SQL_DIR): Migration[] {
  const files = readdirSync(dir).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return files.map((file) => {
    const sql = readFileSync(new URL(file, dir), 'utf8');
    return {
      version: Number(file.slice(0, 3)),
      name: file.slice(4, -4),
      sql,
      sha256: createHash('sha256').update(sql).digest('hex'),
    };
  });
}

export async function migrate(config: Pick<Config, 'DATABASE_URL' | 'DATABASE_SCHEMA'>, dir: URL = SQL_DIR): Promise<MigrateResult> {
  const migrations = readMigrations(dir);
  const schema = config.DATABASE_SCHEMA;
  const client = new pg.Client(connectionOptions(config, { applicationName: 'driftline-migrate' }));
  try {
    await client.connect();
  } catch (err) {
    throw databaseError('migrate: connect', err);
  }
  const applied: MigrateResult['applied'] = [];
  try {
    await run(client, 'migrate: lock', 'SELECT pg_advisory_lock($1, hashtext($2))', [LOCK_KEY, schema]);
    await run(client, 'migrate: schema', `CREATE SCHEMA IF NOT EXISTS ${client.escapeIdentifier(schema)}`, []);
    await run(
      client,
      'migrate: history table',
      `CREATE TABLE IF NOT EXISTS driftline_migrations (
         version integer PRIMARY KEY, name text NOT NULL, sha256 char(64) NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now())`,
      [],
    );
    const done = await run<{ version: number; sha256: string }>(client, 'migrate: history', 'SELECT version, sha256 FROM driftline_migrations', []);
    const doneSha = new Map(done.rows.map((r) => [r.version, r.sha256]));
    for (const m of migrations) {
      const sha = doneSha.get(m.version);
      if (sha !== undefined) {
        if (sha !== m.sha256) {
          throw new DriftlineError('E_DATABASE', `migrate: sql/${String(m.version).padStart(3, '0')}_${m.name}.sql changed after it was applied`, {
            retryable: false,
          });
        }
        continue;
      }
      await run(client, `migrate ${m.version}`, 'BEGIN', []);
      try {
        await run(client, `migrate ${m.version} (${m.name})`, m.sql, []);
        await run(client, `migrate ${m.version}`, 'INSERT INTO driftline_migrations (version, name, sha256) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          m.sha256,
        ]);
        await run(client, `migrate ${m.version}`, 'COMMIT', []);
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
      applied.push({ version: m.version, name: m.name });
    }
    return { schema, applied, current: migrations.at(-1)?.version ?? 0 };
  } finally {
    // Closing the session releases the advisory lock even if the unlock is never sent.
    await client.end().catch(() => undefined);
  }
}

/** The highest applied version, or 0 when the schema was never migrated (for `doctor`). */
export async function currentVersion(db: pg.Pool | pg.Client): Promise<number> {
  // Two statements: a query naming a missing table fails at plan time, whatever a CASE says.
  const exists = await run<{ t: string | null }>(db, 'migration version', "SELECT to_regclass('driftline_migrations')::text AS t", []);
  if (exists.rows[0]?.t == null) return 0;
  const r = await run<{ v: number }>(db, 'migration version', 'SELECT coalesce(max(version), 0)::int AS v FROM driftline_migrations', []);
  return r.rows[0]?.v ?? 0;
}
