/**
 * PostgreSQL connections. Every connection's search_path is DATABASE_SCHEMA (set in the startup
 * packet, so it holds for pooled and direct clients alike), which is how tests get a schema per file
 * and how operators can host driftline beside other tables.
 *
 * The pool survives a server restart: broken idle clients are dropped (the 'error' listener keeps
 * them from crashing the process) and the next query opens a new connection.
 */
import pg from 'pg';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { databaseError } from './errors.js';

export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient | pg.Client;

export interface PoolOptions {
  /** Shows in pg_stat_activity, e.g. "driftline-worker:host-123". */
  applicationName: string;
  max?: number;
  /** Give up connecting after this long (CLI: short; worker: the pool retries per query anyway). */
  connectTimeoutMs?: number;
  logger?: Logger;
}

export function connectionOptions(config: Pick<Config, 'DATABASE_URL' | 'DATABASE_SCHEMA'>, opts: PoolOptions): pg.PoolConfig {
  return {
    connectionString: config.DATABASE_URL,
    application_name: opts.applicationName.slice(0, 63),
    // DATABASE_SCHEMA is validated as a plain identifier in config.ts; quoting keeps it literal.
    options: `-c search_path="${config.DATABASE_SCHEMA}"`,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
  };
}

export function createPool(config: Pick<Config, 'DATABASE_URL' | 'DATABASE_SCHEMA'>, opts: PoolOptions): pg.Pool {
  const pool = new pg.Pool({ ...connectionOptions(config, opts), max: opts.max ?? 4, idleTimeoutMillis: 30_000 });
  pool.on('error', (err) => {
    // An idle client lost its connection (server restart, pg_terminate_backend): the pool drops it.
    opts.logger?.warn({ err: err.message }, 'postgresql connection lost; reconnecting on next query');
  });
  return pool;
}

/** Run one parameterised statement; failures become E_DATABASE naming the operation. */
export async function run<R extends pg.QueryResultRow>(db: Queryable, operation: string, text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
  try {
    return await db.query<R>(text, values);
  } catch (err) {
    throw databaseError(operation, err);
  }
}

/** Run `fn` in a transaction on one pooled client. */
export async function inTransaction<T>(pool: pg.Pool, operation: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw databaseError(operation, err);
  }
  let broken = false;
  try {
    await run(client, operation, 'BEGIN', []);
    const result = await fn(client);
    await run(client, operation, 'COMMIT', []);
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true; // the connection is gone; do not return it to the pool
    }
    throw databaseError(operation, err);
  } finally {
    client.release(broken);
  }
}
