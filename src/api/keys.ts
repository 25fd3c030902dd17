/**
 * API keys: "dlk_<id>_<secret>", <id> 8 hex characters (public: listed, used to revoke), <secret>
 * 32 random bytes in base64url (256 bits). Only sha256 of the whole key is stored (sql/005 says why
 * a fast hash is right for random keys). The key is shown once, by `driftline apikey create`.
 */
import { hash, randomBytes } from 'node:crypto';

const KEY_RE = /^dlk_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;

export interface NewApiKey {
  id: string;
  /** The full key: print it once, never store or log it. */
  key: string;
  sha256: string;
}

export function generateApiKey(): NewApiKey {
  const id = randomBytes(4).toString('hex');
  const key = `dlk_${id}_${randomBytes(32).toString('base64url')}`;
  return { id, key, sha256: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return hash('sha256', key, 'hex');
}

/** True when the text has the shape of a key (checked before any database lookup). */
export function looksLikeApiKey(text: string): boolean {
  return KEY_RE.test(text);
}
