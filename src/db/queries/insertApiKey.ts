import { run, type Queryable } from '../pool.js';
import type { ApiKeyRow } from './types.js';

const SQL = `
INSERT INTO api_keys (id, name, key_sha256) VALUES ($1, $2, $3)
RETURNING id, name, created_at, revoked_at`;

/** Store a new key by its sha256 (sql/005 says why a plain hash is enough); the key itself is never stored. */
export async function insertApiKey(db: Queryable, key: { id: string; name: string; sha256: string }): Promise<ApiKeyRow> {
  const r = await run<ApiKeyRow>(db, 'insert api key', SQL, [key.id, key.name, key.sha256]);
  const row = r.rows[0];
  if (row === undefined) throw new Error('insert api key: INSERT ... RETURNING returned no row');
  return row;
}
