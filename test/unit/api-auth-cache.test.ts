/**
 * The API key cache (src/api/auth.ts): a burst of requests with one key shares one lookup, also when
 * the entry has just expired (200 concurrent status reads sent 200 queries to a 10-connection pool
 * before), and a failed lookup is not remembered.
 */
import type { FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { API_KEY_CACHE_MS, ApiKeyAuth } from '../../src/api/auth.js';
import { generateApiKey } from '../../src/api/keys.js';
import type { ApiKeyRow } from '../../src/db/queries/index.js';

const request = (key: string) => ({ headers: { authorization: `Bearer ${key}` } }) as unknown as FastifyRequest;

describe('ApiKeyAuth', () => {
  it('answers 200 concurrent requests with one lookup, and gives every one the key id', async () => {
    const key = generateApiKey();
    let lookups = 0;
    const auth = new ApiKeyAuth(async () => {
      lookups++;
      await new Promise((r) => setImmediate(r));
      return { id: key.id, revoked_at: null } as unknown as ApiKeyRow;
    });
    const ids = await Promise.all(Array.from({ length: 200 }, () => auth.verify(request(key.key))));
    expect(new Set(ids)).toEqual(new Set([key.id]));
    expect(lookups).toBe(1);
  });

  it('asks again after a failed lookup instead of remembering the failure', async () => {
    const key = generateApiKey();
    let calls = 0;
    const auth = new ApiKeyAuth(async () => {
      calls++;
      if (calls === 1) throw new Error('database down');
      return { id: key.id, revoked_at: null } as unknown as ApiKeyRow;
    });
    await expect(auth.verify(request(key.key))).rejects.toThrow('database down');
    await expect(auth.verify(request(key.key))).resolves.toBe(key.id);
    expect(calls).toBe(2);
  });

  afterEach(() => vi.restoreAllMocks());

  it('refuses a revoked key once the cached answer is API_KEY_CACHE_MS old, not before, and with one lookup', async () => {
    const key = generateApiKey();
    let revokedAt: Date | null = null;
    let lookups = 0;
    const auth = new ApiKeyAuth(async () => {
      lookups++;
      return { id: key.id, revoked_at: revokedAt } as unknown as ApiKeyRow;
    });
    let nowMs = 1_000_000;
    vi.spyOn(Date, 'now').mockImplementation(() => nowMs);
    await expect(auth.verify(request(key.key))).resolves.toBe(key.id);
    revokedAt = new Date(nowMs); // `driftline apikey revoke`, another process
    nowMs += API_KEY_CACHE_MS - 1;
    await expect(auth.verify(request(key.key))).resolves.toBe(key.id); // the cached answer, 999 ms old
    expect(lookups).toBe(1);
    nowMs += 1;
    await expect(auth.verify(request(key.key))).rejects.toThrow(`API key ${key.id} was revoked`);
    expect(lookups).toBe(2);
    expect(API_KEY_CACHE_MS).toBe(1000); // README: "a revoked key is refused within a second"
  });
});
