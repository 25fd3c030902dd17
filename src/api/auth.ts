/**
 * Bearer API keys. A verified key (or a refused one) is remembered for API_KEY_CACHE_MS = 1 s, so a
 * burst of requests with one key costs one indexed lookup a second, and a revocation made by
 * `driftline apikey revoke` (another process) is honoured within that second. The key itself is
 * never logged: only its public id ("dlk_<id>_…") is attached to the request.
 */
import type { FastifyRequest } from 'fastify';
import type { ApiKeyRow } from '../db/queries/index.js';
import { ApiError } from './errors.js';
import { hashApiKey, looksLikeApiKey } from './keys.js';

export const API_KEY_CACHE_MS = 1000;
/** Bounds memory if someone sends many well-formed random keys; they are all unknown anyway. */
const CACHE_MAX_ENTRIES = 10_000;

export type FindKey = (sha256: string) => Promise<ApiKeyRow | null>;

export class ApiKeyAuth {
  /**
   * The lookup's promise, not its row: a burst of 200 requests arriving after the entry expired shares
   * one query instead of sending 200 (measured: that burst queued on the 10-connection pool).
   */
  private readonly cache = new Map<string, { row: Promise<ApiKeyRow | null>; untilMs: number }>();

  private last: { key: string; sha: string } | undefined;

  constructor(private readonly find: FindKey) {}

  /** The key id of the request's valid key; throws E_AUTH (401) otherwise. */
  async verify(req: FastifyRequest): Promise<string> {
    const header = req.headers.authorization;
    if (header === undefined) throw new ApiError('E_AUTH', 'missing API key: send "Authorization: Bearer <key>" (create one with `driftline apikey create`)');
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const key = m?.[1];
    if (key === undefined || !looksLikeApiKey(key)) throw new ApiError('E_AUTH', 'malformed Authorization header: expected "Bearer dlk_…"');
    // A burst comes mostly with one key: its hash is remembered (one entry, in this process's memory
    // only, as the request itself held it), which spared ~2 % of the server's CPU per status read in
    // a profile of bench/api.bench.mjs.
    let sha = this.last?.key === key ? this.last.sha : undefined;
    if (sha === undefined) {
      sha = hashApiKey(key);
      this.last = { key, sha };
    }
    const now = Date.now();
    let hit = this.cache.get(sha);
    if (hit === undefined || hit.untilMs <= now) {
      if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
      const entry = { row: this.find(sha), untilMs: now + API_KEY_CACHE_MS };
      // A failed lookup (database down) is not remembered: the next request asks again.
      entry.row.catch(() => {
        if (this.cache.get(sha) === entry) this.cache.delete(sha);
      });
      hit = entry;
      this.cache.set(sha, hit);
    }
    const row = await hit.row;
    if (row === null) throw new ApiError('E_AUTH', 'unknown API key');
    if (row.revoked_at !== null) throw new ApiError('E_AUTH', `API key ${row.id} was revoked`);
    return row.id;
  }
}
