import { run, type Queryable } from '../pool.js';
import type { ApiKeyRow } from './types.js';

const SQL = `SELECT id, name, created_at, revoked_at FROM api_keys WHERE key_sha256 = $1`;

/** The key whose sha256 this is (revoked or not), by the unique index on key_sha256. */
export async function findApiKey(db: Queryable, sha256: string): Promise<ApiKeyRow | null> {
  return (await run<ApiKeyRow>(db, 'find api key', SQL, [sha256])).rows[0] ?? null;
}
