/**
 * docs/summary.schema.json (JSON Schema draft 2020-12) against the summary.json of real runs of
 * `driftline run`: a forward run, a backward run on fallback wind (FORCING_FALLBACK present), and
 * examples/mission-search.json (completed search and a plan). Ajv in strict mode, so a schema keyword
 * typo fails too; and mutated summaries (an unknown member, a missing one, a wrong type, a negative
 * area) must fail, so the schema is shown to be able to reject.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRODUCT_PATHS } from '../../src/products/types.js';
import { runCli } from '../helpers/processes.js';

/** Port 1 (tcpmux) is closed on any ordinary machine: a run needs none of the services. */
const NO_SERVICES = {
  REDIS_URL: 'redis://127.0.0.1:1',
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none',
  S3_ENDPOINT: 'http://127.0.0.1:1',
  SIM_THREADS: '2',
};

const ROOT = path.resolve(import.meta.dirname, '../..');
const schema = JSON.parse(readFileSync(path.join(ROOT, 'docs/summary.schema.json'), 'utf8')) as Record<string, unknown>;

let dir: string;
let validate: ValidateFunction;
const summaries: Record<string, Record<string, unknown>> = {};

const searchExample = JSON.parse(readFileSync(path.join(ROOT, 'examples/mission-search.json'), 'utf8')) as { params: Record<string, unknown> };
const scenariosExample = JSON.parse(readFileSync(path.join(ROOT, 'examples/mission-scenarios.json'), 'utf8')) as { params: Record<string, unknown> };
const JOBS: Record<string, unknown> = {
  forward: {
    mission_id: 'schema-forward',
    params: {
      latitude: 59.3,
      longitude: 4.6,
      start_time: '2024-01-01T12:00:00Z',
      duration_hours: 12,
      num_particles: 800,
      object_type: 'PIW-1',
      radius_m: 500,
      forcing: { wind: { constant: [8, 3] }, current: { constant: [0.15, 0.05] } },
      products: { animation: false },
    },
  },
  // Backward from where a raft was found, with no wind named: the fallback constant is used and flagged.
  backward: {
    mission_id: 'schema-backward',
    params: {
      latitude: 59.35,
      longitude: 4.9,
      start_time: '2024-01-02T12:00:00Z',
      duration_hours: 6,
      time_step_seconds: -600,
      num_particles: 500,
      object_type: 'LIFE-RAFT-DB-12',
      radius_m: 500,
      forcing: { current: { constant: [0.15, 0.05] } },
      products: { animation: false },
    },
  },
  // The repository's search example as it is, without the video (not what this test is about).
  search: { ...searchExample, params: { ...searchExample.params, products: { animation: false } } },
  // Weighted scenarios (70 % person in the water, 30 % life raft on the route), fewer particles.
  scenarios: { ...scenariosExample, params: { ...scenariosExample.params, num_particles: 1000, products: { animation: false } } },
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-schema-'));
  // strict: unknown keywords and ambiguous schemas are errors; allowUnionTypes: ["number", "null"] is valid 2020-12.
  validate = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
  for (const [name, job] of Object.entries(JOBS)) {
    const jobFile = path.join(dir, `${name}.json`);
    writeFileSync(jobFile, JSON.stringify(job));
    const out = path.join(dir, name);
    const r = await runCli(['run', jobFile, '--out', out, '--json'], NO_SERVICES, { timeoutMs: 150_000 });
    expect(r.code, `${name}: ${r.stderr}`).toBe(0);
    summaries[name] = JSON.parse(readFileSync(path.join(out, 'products/summary.json'), 'utf8')) as Record<string, unknown>;
  }
}, 480_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const errorsText = () => JSON.stringify(validate.errors?.slice(0, 5), null, 1);

describe('docs/summary.schema.json', () => {
  it.each(['forward', 'backward', 'search', 'scenarios'])('the %s run summary is valid', (name) => {
    const s = summaries[name];
    expect(validate(s), errorsText()).toBe(true);
  });

  it('the runs cover what the schema describes: backward direction, fallback flag, plan, area sizes, the KMZ', () => {
    const f = summaries.forward as { run: { direction: string }; times: { search_areas: unknown[] }[]; products: { kind: string; path: string }[] };
    const b = summaries.backward as { run: { direction: string }; FORCING_FALLBACK?: string; times: { hours_since_start: number }[] };
    const s = summaries.search as { search: { plan?: { units: unknown[] }; completed?: unknown[] } };
    expect(f.run.direction).toBe('forward');
    expect(b.run.direction).toBe('backward');
    expect(b.times.at(-1)?.hours_since_start).toBe(-6);
    expect(b.FORCING_FALLBACK).toMatch(/FALLBACK/);
    expect(s.search.plan?.units.length).toBe(2);
    expect(s.search.completed?.length).toBe(1);
    expect(f.times.at(-1)?.search_areas).toHaveLength(3);
    for (const p of f.products) {
      // The schema checks the pattern; the kinds and paths must also be the ones the code writes.
      const known = PRODUCT_PATHS[p.kind as keyof typeof PRODUCT_PATHS];
      expect(known?.relPath, p.kind).toBe(p.path);
    }
    expect(f.products.map((p) => p.kind)).toContain('search_areas_kmz');
    const sc = summaries.scenarios as { scenarios: { weight: number; times: Record<string, number>[] }[] };
    expect(sc.scenarios.map((x) => x.weight)).toEqual([0.7, 0.3]);
  });

  it('rejects a scenario summary with an unknown member or a missing share', () => {
    const copy = structuredClone(summaries.scenarios) as { scenarios: Record<string, unknown>[] };
    expect(validate(copy), errorsText()).toBe(true);
    const first = copy.scenarios[0] ?? {};
    first.typo = 1;
    expect(validate(copy)).toBe(false);
    delete first.typo;
    delete (first.times as Record<string, unknown>[])[0]?.drifting;
    expect(validate(copy)).toBe(false);
  });

  const mutations: [string, (s: Record<string, unknown>) => void][] = [
    ['an unknown top-level member', (s) => (s.extra_field = 1)],
    ['a missing required member (times)', (s) => delete s.times],
    ['a wrong type (run.particles as a string)', (s) => ((s.run as Record<string, unknown>).particles = '800')],
    ['a negative area size', (s) => (((s.times as { search_areas: { area_km2: number }[] }[]).at(-1)?.search_areas[0] ?? { area_km2: 0 }).area_km2 = -1)],
    ['a time without its Z', (s) => (s.created_at = '2024-01-01T12:00:00')],
    ['an unknown member inside a times[] entry', (s) => (((s.times as Record<string, unknown>[])[0] ?? {}).datum_typo = null)],
    ['a bad checksum', (s) => (((s.products as Record<string, unknown>[])[0] ?? {}).sha256 = 'abc')],
    ['a stranding probability above 1', (s) => ((s.stranding as { probability: number }).probability = 1.5)],
  ];
  it.each(mutations)('rejects a summary with %s', (_what, mutate) => {
    const copy = structuredClone(summaries.search) as Record<string, unknown>;
    expect(validate(copy), 'the unmutated copy is valid').toBe(true);
    mutate(copy);
    expect(validate(copy)).toBe(false);
  });
});
