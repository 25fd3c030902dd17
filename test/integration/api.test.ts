/**
 * The HTTP API (`driftline serve`) as a real process against real PostgreSQL, Redis and s3rver, with
 * a real worker process running missions through the small test runner (test/helpers/mission-runner.mjs).
 */
import { createHash } from 'node:crypto';
// @ts-expect-error s3rver ships no types
import AWSAccount from 's3rver/lib/models/account.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorSchema, missionListSchema, missionSchema } from '../../src/api/schemas.js';
import { readEvents, startApi, type TestApi } from '../helpers/api.js';
import { job, startFleet, type Fleet } from '../helpers/fleet.js';
import { TEST_RUNNER, waitFor } from '../helpers/processes.js';

// s3rver accepts one hard-coded key pair whose secret equals its id ("S3RVER"); a distinct pair
// lets the test tell "the access key id appears in a presigned URL" (by design) from "the secret leaked".
const S3_ACCESS_KEY = 'AKIDDRIFTLINETEST';
const S3_SECRET_KEY = 'sEcReT-driftline-test-9f8e7d6c';
(AWSAccount as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } }).DUMMY_ACCOUNT.createKeyPair(S3_ACCESS_KEY, S3_SECRET_KEY);

let fleet: Fleet;
let api: TestApi;

beforeAll(async () => {
  fleet = await startFleet('api', { S3_ACCESS_KEY, S3_SECRET_KEY, TEST_RUNNER_MS: '1500' });
  api = await startApi(fleet);
}, 60_000);

afterAll(async () => {
  await api?.close();
  await fleet?.close();
});

function errorCode(r: { json: unknown }): string {
  return errorSchema.parse(r.json).error.code;
}

describe('api: contract and health', () => {
  it('serves /healthz (PostgreSQL and Redis ok) and an OpenAPI 3.1 document built from the zod schemas', async () => {
    const health = await api.request('GET', '/healthz', { key: null });
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ ok: true, postgres: 'ok', redis: 'ok' });
    const doc = (await api.request('GET', '/openapi.json', { key: null })).json as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: { Job: { properties: { params: { properties: { latitude: { maximum: number } } } } } } };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/missions', '/missions/{id}', '/missions/{id}/events', '/missions/{id}/cancel']));
    expect(doc.components.schemas.Job.properties.params.properties.latitude.maximum).toBe(90);
    const metrics = await api.request('GET', '/metrics', { key: null });
    expect(metrics.text).toContain('driftline_api_request_duration_seconds');
  });
});

describe('api: 4xx', () => {
  it('refuses a missing, malformed or unknown key with 401 E_AUTH', async () => {
    for (const key of [null, 'not-a-key', `dlk_00000000_${'A'.repeat(43)}`]) {
      const r = await api.request('GET', '/missions', { key });
      expect(r.status).toBe(401);
      expect(errorCode(r)).toBe('E_AUTH');
    }
  });

  it('refuses a key within about a second of `driftline apikey revoke` (auth cache 1 s)', async () => {
    const k = await api.createKey('to-revoke');
    expect((await api.request('GET', '/missions', { key: k.key })).status).toBe(200);
    const revoked = await fleet.cli(['apikey', 'revoke', k.id]);
    expect(revoked.code).toBe(0);
    const refused = await waitFor('revoked key refused', async () => {
      const r = await api.request('GET', '/missions', { key: k.key });
      return r.status === 401 ? r : null;
    }, 5000);
    expect(errorSchema.parse(refused.json).error.message).toContain('revoked');
    const list = await fleet.cli(['apikey', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ id: k.id, revoked_at: expect.any(String) })]));
    expect(list.stdout).not.toContain(k.key);
  }, 90_000); // three CLI processes (create, revoke, list): 13-22 s on the loaded 2-core machine

  it('answers malformed JSON with 400 E_JOB_JSON and names every invalid field of a bad job', async () => {
    const bad = await api.request('POST', '/missions', { rawBody: '{"params": {"latitude": 60,' });
    expect(bad.status).toBe(400);
    expect(errorCode(bad)).toBe('E_JOB_JSON');

    const invalid = await api.request('POST', '/missions', { body: { params: { latitude: 95, longitude: 4, start_time: 'yesterday', num_particles: 0 } } });
    expect(invalid.status).toBe(400);
    const body = errorSchema.parse(invalid.json);
    expect(body.error.code).toBe('E_JOB_INVALID');
    expect(body.error.fields?.map((f) => f.field).sort()).toEqual(['params.latitude', 'params.num_particles', 'params.start_time']);

    const category = await api.request('POST', '/missions', { body: job('api-bad-category', { object_type: 'PIW-99' }) });
    expect(category.status).toBe(400);
    expect(errorCode(category)).toBe('E_OBJECT_TYPE');
    expect((await fleet.mission('api-bad-category'))).toBeNull();
  });

  it('answers a body over API_BODY_LIMIT_BYTES (64 KiB) with 413, an unknown mission or route with 404', async () => {
    const big = await api.request('POST', '/missions', { body: { ...job('api-big'), padding: 'x'.repeat(70_000) } });
    expect(big.status).toBe(413);
    expect(errorCode(big)).toBe('E_REQUEST');
    for (const path of ['/missions/no-such-mission', '/missions/no-such-mission/events', '/nowhere']) {
      const r = await api.request('GET', path);
      expect(r.status, path).toBe(404);
      expect(errorCode(r)).toBe('E_NOT_FOUND');
    }
    const cancel = await api.request('POST', '/missions/no-such-mission/cancel');
    expect(cancel.status).toBe(404);
    const query = await api.request('GET', '/missions?status=lost&limit=0');
    expect(query.status).toBe(400);
    expect(errorCode(query)).toBe('E_REQUEST');
  });
});

describe('api: missions', () => {
  it('cancels a queued mission at once (200, row cancelled, the job left on the list for the worker to drop) and publishes its id', async () => {
    // No worker runs yet, so the mission stays queued.
    const sub = fleet.q.redis.duplicate();
    const published = new Promise<string>((resolve) => sub.on('message', (_channel: string, message: string) => resolve(message)));
    await sub.subscribe(`${fleet.q.name}:cancel`);
    const submitted = await api.request('POST', '/missions', { body: job('api-cancel-queued') });
    expect(submitted.status).toBe(202);
    const r = await api.request('POST', '/missions/api-cancel-queued/cancel');
    expect(r.status).toBe(200);
    const m = missionSchema.parse(r.json);
    expect(m.status).toBe('cancelled');
    expect(m.cancel_requested_at).not.toBeNull();
    expect(m.completed_at).not.toBeNull();
    expect(await published).toBe('api-cancel-queued');
    await sub.quit();
    const queued = (await fleet.q.redis.lrange(fleet.q.name, 0, -1)).find((t) => t.includes('api-cancel-queued'));
    expect(queued).toBeDefined();
    // Taken off here because the worker that drops cancelled jobs at claim time is the lead's change.
    if (queued !== undefined) await fleet.q.redis.lrem(fleet.q.name, 0, queued);
    const again = await api.request('POST', '/missions/api-cancel-queued/cancel');
    expect(again.status).toBe(409);
    expect(errorCode(again)).toBe('E_CONFLICT');
  });

  it('lists missions newest first with a status filter and a cursor that neither skips nor repeats', async () => {
    for (const id of ['api-page-1', 'api-page-2', 'api-page-3']) expect((await api.request('POST', '/missions', { body: job(id) })).status).toBe(202);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r = await api.request('GET', `/missions?status=queued&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      const page = missionListSchema.parse(r.json);
      expect(page.missions.length).toBeLessThanOrEqual(2);
      seen.push(...page.missions.map((m) => m.id));
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual(['api-page-3', 'api-page-2', 'api-page-1']);
    const duplicate = await api.request('POST', '/missions', { body: job('api-page-1') });
    expect(duplicate.status).toBe(409);
  });

  it('runs a submitted mission: SSE stream sees processing, progress and completed; presigned URLs fetch the products', async () => {
    fleet.spawn('api-w1', {}, TEST_RUNNER);
    const submitted = await api.request('POST', '/missions', { body: { params: job('x').params } });
    expect(submitted.status).toBe(202);
    const location = submitted.headers.get('location');
    const created = missionSchema.parse(submitted.json);
    expect(location).toBe(`/missions/${created.id}`);
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);

    const events = await readEvents(`${api.url}${location}/events`, api.key);
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('stage');
    expect(names).toContain('progress');
    expect(names.at(-1)).toBe('completed');
    expect(events.some((e) => e.event === 'stage' && (e.data as { status: string }).status === 'processing')).toBe(true);
    const fractions = events.filter((e) => e.event === 'progress').map((e) => (e.data as { progress: number }).progress);
    expect(fractions.some((p) => p > 0 && p < 1)).toBe(true);

    const r = await api.request('GET', location ?? '');
    const m = missionSchema.parse(r.json);
    expect(m.status).toBe('completed');
    expect(m.products?.map((p) => p.kind).sort()).toEqual(['summary', 'trajectory']);
    for (const p of m.products ?? []) {
      expect(p.url).toContain(S3_ACCESS_KEY);
      const bytes = Buffer.from(await (await fetch(p.url)).arrayBuffer());
      expect(bytes.length).toBe(p.bytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(p.sha256);
      const proxied = await fetch(`${api.url}${p.href}`, { headers: { authorization: `Bearer ${api.key}` } });
      expect(Buffer.from(await proxied.arrayBuffer()).equals(bytes)).toBe(true);
    }
    const finished = await api.request('POST', `${location}/cancel`);
    expect(finished.status).toBe(409);
    // The map's probability layer: this test runner writes no density.nc (the browser test reads a real one).
    const noDensity = await api.request('GET', `${location}/density.json`);
    expect(noDensity.status).toBe(404);
    expect((noDensity.json as { error: { code: string } }).error.code).toBe('E_NOT_FOUND');
    const badStep = await api.request('GET', `${location}/density.json?t=first`);
    expect(badStep.status).toBe(400);
    expect((badStep.json as { error: { fields: Array<{ field: string }> } }).error.fields.map((f) => f.field)).toEqual(['t']);
  }, 60_000);

  it('asks a processing mission to stop (202, cancel_requested_at set, status still processing until the worker acts)', async () => {
    const submitted = await api.request('POST', '/missions', { body: job('api-cancel-running') });
    expect(submitted.status).toBe(202);
    await fleet.waitForStatus('api-cancel-running', 'processing');
    const r = await api.request('POST', '/missions/api-cancel-running/cancel');
    expect(r.status).toBe(202);
    const m = missionSchema.parse(r.json);
    expect(m.status).toBe('processing');
    expect(m.cancel_requested_at).not.toBeNull();
  }, 30_000);

  // The worker's side of the same flag (it stops within one progress interval and marks the mission
  // `cancelled`; a cancelled queued job is dropped at its claim) is test/integration/fleet-cancel.test.ts.

  it('never shows the API key, S3 secret or database password in a response or a log line', async () => {
    const secrets = [api.key, S3_SECRET_KEY];
    const logs = api.proc.logs.map((l) => JSON.stringify(l)).join('\n') + api.proc.stderr;
    expect(api.bodies.length).toBeGreaterThan(20);
    for (const s of secrets) {
      expect(api.bodies.some((b) => b.includes(s))).toBe(false);
      expect(logs.includes(s)).toBe(false);
    }
    // A forcing URI with a password in a job is shown masked.
    const withPassword = await api.request('POST', '/missions', {
      body: job('api-redact', { forcing: { wind: { uri: 'https://user:hunter2@forcing.example/wind.nc' } } }),
    });
    expect(withPassword.status).toBe(202);
    expect(withPassword.text).not.toContain('hunter2');
    expect(withPassword.text).toContain('https://user:***@forcing.example/wind.nc');
  });
});

describe('api: configuration', () => {
  it('refuses to start with API_AUTH=off on a non-loopback API_HOST (exit 2, E_CONFIG)', async () => {
    const r = await fleet.cli(['serve'], { API_AUTH: 'off', API_HOST: '0.0.0.0', API_PORT: '0' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('E_CONFIG');
    expect(r.stderr).toContain('API_AUTH=off');
  });

  it('rate-limits per key: the request over API_RATE_LIMIT_PER_MINUTE gets 429 E_RATE_LIMITED with Retry-After', async () => {
    const limited = await startApi(fleet, { API_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await limited.request('GET', '/missions?limit=1')).status);
      expect(statuses).toEqual([200, 200, 200]);
      const over = await limited.request('GET', '/missions?limit=1');
      expect(over.status).toBe(429);
      expect(errorCode(over)).toBe('E_RATE_LIMITED');
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
      // Health checks are not counted (a scraper must not lock anyone out): 4 in a row, over the limit of 3.
      const health: number[] = [];
      for (let i = 0; i < 4; i++) health.push((await limited.request('GET', '/healthz', { key: null })).status);
      expect(health).toEqual([200, 200, 200, 200]);
      // The page is counted per client address like everything else; its 4th load in a minute is refused.
      for (let i = 0; i < 3; i++) await limited.request('GET', '/openapi.json', { key: null });
      expect((await limited.request('GET', '/openapi.json', { key: null })).status).toBe(429);
    } finally {
      await limited.close();
    }
  }, 90_000);
});
