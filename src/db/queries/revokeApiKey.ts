import { run, type Queryable } from '../pool.js';
import type { ApiKeyRow } from './types.js';

const SQL = `
UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1
RETURNING id, name, created_at, revoked_at`;

/** Revoke a key by its id (idempotent: the first revocation time is kept); null when there is no such key. */
export async function revokeApiKey(db: Queryable, id: string): Promise<ApiKeyRow | null> {
  return (await run<ApiKeyRow>(db, 'revoke api key', SQL, [id])).rows[0] ?? null;
}
