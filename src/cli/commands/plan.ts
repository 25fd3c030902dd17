/**
 * `driftline plan <mission_id | out dir> --unit name,speed_kn,endurance_h,sweep_width_nm[,track_spacing_nm] ...`:
 * re-plan a search from a mission's stored raw/particles.nc without simulating again (issue 8,
 * item 8). The prior is the file's `weight` (the mission's posterior; equal weights when the file has
 * none); `--completed file.geojson` applies more unsuccessful searches first. Prints POC/POD/POS.
 *  - an existing directory (a `driftline run --out DIR`): writes DIR/products/search_plan.{geojson,kml};
 *  - otherwise a fleet mission id: reads the particles from S3, uploads the plan products beside the
 *    mission's and records them in mission_results (replacing an earlier plan). The mission must be
 *    completed. The work is src/planning/replan.ts, shared with POST /missions/:id/plan.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DriftlineError } from '../../errors.js';
import { planLocalDir, PlanRequestError, type ReplanOutcome } from '../../planning/plan.js';
import { onePositional, parse } from '../args.js';
import { EXIT, UsageError } from '../errors.js';
import { out, printJson } from '../output.js';

const USAGE = `usage: driftline plan <mission_id | out dir> --unit name,speed_kn,endurance_h,sweep_width_nm[,track_spacing_nm] ...
                      [--at ISO] [--completed file.geojson] [--detection exponential|inverse_cube] [--json]

Plans search rectangles on a mission's stored particles (raw/particles.nc, weighted by its 'weight'):
  <out dir>     a local \`driftline run --out DIR\`: writes DIR/products/search_plan.geojson and .kml
  <mission_id>  a completed fleet mission: reads its particles from S3 (S3_*, DATABASE_URL), uploads
                search_plan.geojson and .kml beside its products and records them in mission_results,
                replacing an earlier plan (summary.json keeps the run's own plan)

  --unit U        a search unit (repeat for several units, planned in the order given)
  --at ISO        start of the search window (default: the run's first output time)
  --completed F   GeoJSON FeatureCollection of Polygon features of searches that found nothing, each with
                  properties name, start_time, end_time, sweep_width_nm, track_spacing_nm
  --detection D   exponential (default) or inverse_cube
  --json          print the plan as JSON`;

function parseUnit(text: string): Record<string, unknown> {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length < 4 || parts.length > 5) throw new UsageError(`--unit ${JSON.stringify(text)}: expected name,speed_kn,endurance_h,sweep_width_nm[,track_spacing_nm]`);
  const [name, ...nums] = parts;
  const n = nums.map(Number);
  return { name, speed_kn: n[0], endurance_h: n[1], sweep_width_nm: n[2], ...(n[3] !== undefined ? { track_spacing_nm: n[3] } : {}) };
}

/** Completed searches from a GeoJSON FeatureCollection (shape checked by the job schema afterwards). */
function completedFromGeoJson(text: string, file: string): unknown[] {
  let fc: unknown;
  try {
    fc = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not JSON (${(e as Error).message})`);
  }
  const features = (fc as { features?: unknown }).features;
  if (!Array.isArray(features)) throw new UsageError(`${file}: expected a GeoJSON FeatureCollection`);
  return features.map((f: { geometry?: { type?: string; coordinates?: unknown[] }; properties?: Record<string, unknown> }, k) => {
    if (f.geometry?.type !== 'Polygon' || !Array.isArray(f.geometry.coordinates)) throw new UsageError(`${file}: features[${k}] is not a Polygon`);
    return { ...f.properties, polygon: f.geometry.coordinates[0] };
  });
}

export async function planCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parse(
    argv,
    { unit: { type: 'string', multiple: true }, at: { type: 'string' }, completed: { type: 'string' }, detection: { type: 'string' }, json: { type: 'boolean' } },
    USAGE,
  );
  if (v.help) {
    out(USAGE);
    return EXIT.OK;
  }
  const target = onePositional(positionals, 'mission id or output directory', USAGE);
  const units = ((v.unit as string[] | undefined) ?? []).map(parseUnit);
  if (units.length === 0) throw new UsageError(`at least one --unit is needed\n\n${USAGE}`);
  const completedFile = v.completed as string | undefined;
  const completed = completedFile ? completedFromGeoJson(await readFile(completedFile, 'utf8'), completedFile) : [];
  const request = { units, completed, ...(v.at ? { at: v.at } : {}), ...(v.detection ? { detection: v.detection } : {}) };
  const isDir = await stat(target).then((st) => st.isDirectory(), () => false);
  try {
    if (isDir) {
      const r = await planLocalDir(path.resolve(target), request);
      report(r, r.files.map((f) => ({ path: f.relPath, bytes: f.bytes })), Boolean(v.json));
      return EXIT.OK;
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(target)) throw new UsageError(`${target}: no such directory, and not a mission id`);
    // The fleet's clients (AWS SDK, pg) are imported only for a mission id: a local re-plan of
    // 100 000 particles took 1.2 s with them loaded at start, of which 0.6 s was imports.
    const [{ withServices }, { ensureBucket }, { replanMission }] = await Promise.all([
      import('../services.js'),
      import('../../storage/bucket.js'),
      import('../../planning/replan.js'),
    ]);
    return await withServices(async (s) => {
      await ensureBucket(s.s3, s.config.S3_BUCKET);
      const r = await replanMission({ pool: s.pool, s3: s.s3, bucket: s.config.S3_BUCKET, workDir: s.config.WORK_DIR }, target, request);
      report(r, r.stored.map((p) => ({ kind: p.kind, uri: p.uri, bytes: p.bytes, sha256: p.sha256 })), Boolean(v.json));
      return EXIT.OK;
    });
  } catch (e) {
    // The job's own field names (search.plan.units[0].endurance_h), as `driftline run` reports them.
    if (e instanceof PlanRequestError && e.issues[0]) {
      const field = PlanRequestError.searchField(e.issues[0]);
      throw new DriftlineError('E_JOB_INVALID', `${field}: ${e.issues[0].message}`, { field });
    }
    throw e;
  }
}

function report(r: ReplanOutcome, products: Array<Record<string, unknown> & { bytes: number }>, json: boolean): void {
  if (json) {
    printJson({ ...r.summary, products: products.map((p) => ('path' in p ? p.path : p)) });
    return;
  }
  const mp = r.plan;
  for (const u of mp.plan.units) {
    out(`${u.unit}: POC ${(100 * u.poc).toFixed(1)} %, POD ${(100 * u.pod).toFixed(1)} %, POS ${(100 * u.pos).toFixed(1)} % (${u.lengthNm.toFixed(2)} × ${u.widthNm.toFixed(2)} NM, spacing ${u.trackSpacingNm.toFixed(2)} NM)`);
  }
  out(`cumulative POS ${(100 * mp.plan.cumulativePos).toFixed(1)} %${mp.skipped.length > 0 ? `; not planned: ${mp.skipped.join(', ')}` : ''}`);
  for (const p of products) out(`${String(p.path ?? p.uri)}  ${p.bytes} bytes`);
}
