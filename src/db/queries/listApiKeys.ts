import { run, type Queryable } from '../pool.js';
import type { ApiKeyRow } from './types.js';

const SQL = `SELECT id, name, created_at, revoked_at FROM api_keys ORDER BY created_at, id`;

/** Every key, revoked ones included (never the hash). */
export async function listApiKeys(db: Queryable): Promise<ApiKeyRow[]> {
  return (await run<ApiKeyRow>(db, 'list api keys', SQL, [])).rows;
}
