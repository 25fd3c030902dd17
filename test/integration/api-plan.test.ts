/**
 * Re-planning a search on a completed fleet mission (issue 8 item 8, issue 13 item 1): POST
 * /missions/:id/plan and `driftline plan <mission_id>`, against a real API process, a real worker
 * running the real simulation, PostgreSQL, Redis and s3rver. The mission's own run makes a plan
 * (params.search.plan); each re-plan must replace it in mission_results and in S3, and its POC must
 * agree with the particles read back from S3 by an independent reader (netcdfjs + turf).
 */
import { createHash } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import type { Polygon } from 'geojson';
import { NetCDFReader } from 'netcdfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planResponseSchema } from '../../src/api/plan.js';
import { errorSchema } from '../../src/api/schemas.js';
import { insertQueuedMission } from '../../src/db/queries/index.js';
import { startApi, type TestApi } from '../helpers/api.js';
import { job, startFleet, type Fleet } from '../helpers/fleet.js';
import { at } from '../helpers/indexed.js';

let fleet: Fleet;
let api: TestApi;
const MISSION = 'api-plan-run';
const START = '2024-01-01T12:00:00Z';

beforeAll(async () => {
  fleet = await startFleet('apiplan');
  fleet.spawn('plan-worker');
  api = await startApi(fleet);
  const submitted = await api.request('POST', '/missions', {
    body: job(MISSION, {
      latitude: 60,
      longitude: 3,
      start_time: START,
      duration_hours: 6,
      num_particles: 400,
      radius_m: 500,
      object_type: 'PIW-1',
      forcing: { wind: { constant: [8, 3] }, current: { constant: [0.15, 0.05] } },
      products: { animation: false },
      search: { plan: { start_time: '2024-01-01T14:00:00Z', units: [{ name: 'RunPlan', speed_kn: 20, endurance_h: 2, sweep_width_nm: 0.5 }] } },
    }),
  });
  expect(submitted.status, submitted.text).toBe(202);
  await fleet.waitForStatus(MISSION, 'completed', 90_000);
}, 150_000);

afterAll(async () => {
  await api?.close();
  await fleet?.close();
});

const code = (r: { json: unknown }) => errorSchema.parse(r.json).error.code;

async function keysUnder(prefix: string): Promise<string[]> {
  const r = await fleet.s3.client.send(new ListObjectsV2Command({ Bucket: fleet.s3.bucket, Prefix: prefix }));
  return (r.Contents ?? []).map((o) => o.Key ?? '').sort();
}

async function planRows() {
  return (await fleet.results(MISSION)).filter((r) => r.kind.startsWith('search_plan'));
}

/** Drifting weight inside a polygon at one output time, from particles.nc read with netcdfjs (the oracle). */
function weightInside(nc: NetCDFReader, atIso: string, polygon: Polygon): number {
  const times = nc.getDataVariable('time') as number[];
  const t = times.findIndex((s) => new Date(s * 1000).toISOString().replace('.000Z', 'Z') === atIso);
  expect(t, `record ${atIso}`).toBeGreaterThanOrEqual(0);
  const lon = nc.getDataVariable('lon') as number[];
  const lat = nc.getDataVariable('lat') as number[];
  // netcdfjs gives each byte as a one-element array ([0]); Number([0]) is 0.
  const status = nc.getDataVariable('status') as unknown as number[][];
  const weight = nc.getDataVariable('weight') as number[];
  const nT = times.length;
  let inside = 0;
  for (let p = 0; p < weight.length; p++) {
    const k = p * nT + t;
    if (Number(status[k]) !== 0) continue; // drifting only
    if (booleanPointInPolygon([at(lon, k), at(lat, k)], polygon)) inside += at(weight, p);
  }
  return inside;
}

describe('POST /missions/:id/plan', () => {
  it('is in the OpenAPI document with its request and response schemas', async () => {
    const doc = (await api.request('GET', '/openapi.json', { key: null })).json as {
      paths: Record<string, { post?: { responses: Record<string, unknown> } }>;
      components: { schemas: { PlanRequest: { required: string[]; properties: Record<string, unknown> }; Plan: unknown } };
    };
    expect(Object.keys(doc.paths['/missions/{id}/plan']?.post?.responses ?? {}).sort()).toEqual(expect.arrayContaining(['200', '400', '404', '409']));
    expect(doc.components.schemas.PlanRequest.required).toEqual(['units']);
    expect(Object.keys(doc.components.schemas.PlanRequest.properties).sort()).toEqual(['at', 'completed', 'detection', 'units']);
    expect(doc.components.schemas.Plan).toBeDefined();
  });

  it('answers 404 for an unknown mission, 409 for one not completed, 400 naming every invalid field', async () => {
    const units = [{ name: 'Helo', speed_kn: 90, endurance_h: 1, sweep_width_nm: 1 }];
    const unknown = await api.request('POST', '/missions/no-such-mission/plan', { body: { units } });
    expect(unknown.status).toBe(404);
    expect(code(unknown)).toBe('E_NOT_FOUND');

    // Recorded but never queued, so no worker takes it: it stays `queued`.
    expect(await insertQueuedMission(fleet.db.pool, 'api-plan-queued', { latitude: 60, longitude: 3 })).toBe(true);
    const queued = await api.request('POST', '/missions/api-plan-queued/plan', { body: { units } });
    expect(queued.status).toBe(409);
    expect(code(queued)).toBe('E_CONFLICT');

    const bad = await api.request('POST', `/missions/${MISSION}/plan`, {
      body: { units: [{ name: 'Helo', speed_kn: 90, endurance_h: 0, sweep_width_nm: 1 }], at: 'yesterday', detection: 'psychic', colour: 'red' },
    });
    expect(bad.status).toBe(400);
    const fields = errorSchema.parse(bad.json).error.fields?.map((f) => f.field).sort();
    expect(fields).toEqual(['(body)', 'at', 'detection', 'units[0].endurance_h']); // '(body)': the unknown key "colour"

    // Well-formed, but the window is outside the 6 h run: named as `at`.
    const late = await api.request('POST', `/missions/${MISSION}/plan`, { body: { units, at: '2024-01-03T00:00:00Z' } });
    expect(late.status).toBe(400);
    expect(errorSchema.parse(late.json).error.fields?.map((f) => f.field)).toEqual(['at']);
    expect((await planRows()).map((r) => r.uri).every((u) => !u.includes('/plan-'))).toBe(true); // nothing recorded by the failures
  });

  it('re-plans from the particles in S3, replaces the run\'s plan in mission_results and S3, and its POC matches the particles', { timeout: 60_000 }, async () => {
    const before = await planRows();
    expect(before.map((r) => r.kind).sort()).toEqual(['search_plan_geojson', 'search_plan_kml']); // the run's own plan
    const r = await api.request('POST', `/missions/${MISSION}/plan`, {
      body: {
        at: '2024-01-01T15:00:00Z',
        units: [
          // Small efforts (6 and 3 NM²) against a cloud of a few km: neither unit takes all the probability.
          { name: 'Helo', speed_kn: 10, endurance_h: 2, sweep_width_nm: 0.3 },
          { name: 'Boat', speed_kn: 6, endurance_h: 2, sweep_width_nm: 0.25, track_spacing_nm: 0.5 },
        ],
        detection: 'inverse_cube',
      },
    });
    expect(r.status, r.text).toBe(200);
    const plan = planResponseSchema.parse(r.json);
    expect(plan.plan.skipped_units, r.text).toEqual([]);
    expect(plan.detection).toBe('inverse_cube');
    expect(plan.plan.units.map((u) => u.unit)).toEqual(['Helo', 'Boat']);
    for (const u of plan.plan.units) {
      expect(u.planned_at).toBe('2024-01-01T16:00:00Z'); // window 15:00–17:00, middle 16:00 is an output time
      expect(u.pos).toBeGreaterThan(0);
      expect(u.pos).toBeCloseTo(u.poc * u.pod, 8); // rounded to 1e-9 in the summary
    }
    expect(plan.plan.cumulative_pos).toBeCloseTo(plan.plan.units.reduce((s, u) => s + u.pos, 0), 8);

    // Recorded: two rows replacing the run's, under a plan prefix, with the checksum of what S3 holds.
    const rows = await planRows();
    expect(rows.map((x) => x.kind).sort()).toEqual(['search_plan_geojson', 'search_plan_kml']);
    const prefix = `s3://${fleet.s3.bucket}/${MISSION}/plan-`;
    for (const row of rows) {
      expect(row.uri.startsWith(prefix), row.uri).toBe(true);
      const key = row.uri.slice(`s3://${fleet.s3.bucket}/`.length);
      const bytes = await fleet.s3.get(key);
      expect(bytes.length).toBe(row.bytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(row.sha256.trim());
      // The fixed key holds the same bytes.
      const alias = await fleet.s3.get(`${MISSION}/${key.split('/').slice(2).join('/')}`);
      expect(alias.equals(bytes)).toBe(true);
      // The response's product is this row, and its presigned URL serves it.
      const view = plan.products.find((p) => p.kind === row.kind);
      expect(view?.sha256).toBe(row.sha256.trim());
      const fetched = Buffer.from(await (await fetch(view!.url)).arrayBuffer());
      expect(fetched.equals(bytes)).toBe(true);
    }
    // The run's own plan objects are gone; its other products are not.
    for (const old of before) expect(await keysUnder(old.uri.slice(`s3://${fleet.s3.bucket}/`.length))).toEqual([]);
    const trajectory = (await fleet.results(MISSION)).find((x) => x.kind === 'trajectory');
    expect(trajectory).toBeDefined();

    // POC from the particles themselves: netcdfjs over the stored particles.nc, turf point-in-polygon.
    const nc = new NetCDFReader(await fleet.s3.get(trajectory!.uri.slice(`s3://${fleet.s3.bucket}/`.length)));
    const geo = JSON.parse((await fleet.s3.get(`${MISSION}/products/search_plan.geojson`)).toString('utf8')) as { features: { geometry: Polygon; properties: { unit: string; poc: number } }[] };
    expect(geo.features.map((f) => f.properties.unit)).toEqual(['Helo', 'Boat']);
    const helo = at(geo.features, 0);
    // Corners are rounded to 1e-6° (≤ 0.1 m); a particle that close to an edge could flip: 1 particle
    // of 400 (weight 1/400) is the tolerance.
    expect(Math.abs(weightInside(nc, '2024-01-01T16:00:00Z', helo.geometry) - at(plan.plan.units, 0).poc)).toBeLessThanOrEqual(1 / 400 + 1e-9);
    expect(helo.properties.poc).toBeCloseTo(at(plan.plan.units, 0).poc, 6);
  });

  it('`driftline plan <mission_id>` re-plans the same way and replaces the API\'s plan (objects and rows)', { timeout: 60_000 }, async () => {
    const before = await planRows();
    const r = await fleet.cli(['plan', MISSION, '--unit', 'Cutter,15,2,0.8', '--at', '2024-01-01T13:00:00Z', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { plan: { units: { unit: string; pos: number; planned_at: string }[] }; products: { kind: string; uri: string; sha256: string }[] };
    expect(out.plan.units.map((u) => [u.unit, u.planned_at])).toEqual([['Cutter', '2024-01-01T14:00:00Z']]);
    const rows = await planRows();
    expect(rows.map((x) => x.uri).sort()).toEqual(out.products.map((p) => p.uri).sort());
    expect(rows.some((x) => before.some((b) => b.uri === x.uri))).toBe(false);
    for (const old of before) expect(await keysUnder(old.uri.slice(`s3://${fleet.s3.bucket}/`.length))).toEqual([]);
    const geo = JSON.parse((await fleet.s3.get(`${MISSION}/products/search_plan.geojson`)).toString('utf8')) as { features: { properties: { unit: string } }[] };
    expect(geo.features.map((f) => f.properties.unit)).toEqual(['Cutter']);

    const bad = await fleet.cli(['plan', MISSION, '--unit', 'Cutter,15,0,0.8']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/search\.plan\.units\[0\]\.endurance_h/);
    const missing = await fleet.cli(['plan', 'no-such-mission', '--unit', 'Cutter,15,2,0.8']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/E_NOT_FOUND: no mission no-such-mission/);
  });
});
