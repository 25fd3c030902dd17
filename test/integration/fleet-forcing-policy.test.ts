/**
 * Hostile forcing through a real worker (default policy, the real mission pipeline): jobs naming the
 * worker's own files, loopback ports, the cloud metadata address, the results bucket and too many URIs
 * each end as a failed mission with a clear error naming the field, after one attempt; the worker stays
 * alive and a normal mission next to them completes.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { job, startFleet, type Fleet } from '../helpers/fleet.js';

let fleet: Fleet;

beforeAll(async () => {
  fleet = await startFleet('fpolicy', { MAX_CONCURRENT_JOBS: '2', LEASE_SECONDS: '10', HEARTBEAT_SECONDS: '1' });
});

afterAll(async () => {
  await fleet?.close();
});

it('hostile forcing URIs fail their missions naming the field; the worker lives on', { timeout: 120_000 }, async () => {
  const w = fleet.spawn('fpolicy-a');
  await w.started(30_000);
  const redisPort = new URL(fleet.env.REDIS_URL ?? 'redis://127.0.0.1:6379').port || '6379';
  const hostile: Array<[id: string, forcing: Record<string, unknown>, field: string, code: string]> = [
    ['h-passwd', { wind: { uri: '/etc/passwd' } }, 'params.forcing.wind.uri', 'E_FORCING_DENIED'],
    ['h-environ', { current: { uri: ['file:///proc/self/environ'] } }, 'params.forcing.current.uri[0]', 'E_FORCING_DENIED'],
    ['h-redis', { wind: { uri: `http://127.0.0.1:${redisPort}/` } }, 'params.forcing.wind.uri', 'E_FORCING_DENIED'],
    ['h-metadata', { wind: { uri: 'http://169.254.169.254/latest/meta-data/' } }, 'params.forcing.wind.uri', 'E_FORCING_DENIED'],
    ['h-results', { land: { uri: `s3://${fleet.s3.bucket}/h-ok/raw/particles.nc` } }, 'params.forcing.land.uri', 'E_FORCING_DENIED'],
    // 2 000 URIs: under the job size cap (20 000 are refused by it first, test/integration/job-fuzz.test.ts).
    ['h-many', { wind: { uri: Array.from({ length: 2_000 }, (_, i) => `s3://driftline-forcing/w${i}.nc`) } }, 'params.forcing.wind.uri', 'E_JOB_INVALID'],
  ];
  await fleet.push([...hostile.map(([id, forcing]) => job(id, { forcing })), job('h-ok', { forcing: { wind: { constant: [5, 0] }, current: { constant: [0, 0] } }, products: { animation: false } })]);
  for (const [id, , field, code] of hostile) {
    const m = await fleet.waitForStatus(id, 'failed', 60_000);
    expect(m).toMatchObject({ error_code: code, attempts: expect.any(Number) });
    expect(m.attempts).toBeLessThanOrEqual(1); // permanent: no retry
    expect(m.error).toContain(field);
    for (const leak of ['root:', 'PATH=', 'redis', 'ECONNREFUSED']) expect(m.error).not.toContain(leak);
  }
  await fleet.waitForStatus('h-ok', 'completed', 90_000);
  // Still running: it has not exited.
  const exited = await Promise.race([w.exited.then(() => true), new Promise<boolean>((resolve) => setImmediate(() => resolve(false)))]);
  expect(exited).toBe(false);
});
