/**
 * A fresh PostgreSQL schema per test file, on the shared server (trust auth, db `test`). Isolation is
 * by DATABASE_SCHEMA, which every driftline connection puts in its search_path; drop() removes the
 * schema and everything in it.
 */
import pg from 'pg';
import { loadConfig, type Config } from '../../src/config.js';
import { migrate } from '../../src/db/migrate.js';
import { createPool } from '../../src/db/pool.js';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  schema: string;
  /** A pool whose search_path is the schema. */
  pool: pg.Pool;
  config: Config;
  env: Record<string, string>;
  drop(): Promise<void>;
}

export async function freshSchema(prefix: string, opts: { migrate?: boolean } = {}): Promise<TestSchema> {
  const schema = `t_${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const env = { DATABASE_URL, DATABASE_SCHEMA: schema };
  const config = loadConfig({ ...env });
  if (opts.migrate ?? true) await migrate(config);
  const pool = createPool(config, { applicationName: `driftline-test:${schema}`, max: 4 });
  return {
    schema,
    pool,
    config,
    env,
    async drop() {
      await pool.end();
      const admin = new pg.Client({ connectionString: DATABASE_URL });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${admin.escapeIdentifier(schema)} CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}
