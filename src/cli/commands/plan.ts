/**
 * `driftline plan <out dir> --unit name,speed_kn,endurance_h,sweep_width_nm[,track_spacing_nm] ...`:
 * re-plan a search from a local run's stored raw/particles.nc without simulating again (issue 8,
 * item 8). The prior is the file's `weight` (the mission's posterior; equal weights when the file has
 * none); `--completed file.geojson` applies more unsuccessful searches first. Writes
 * products/search_plan.geojson and .kml beside the mission's products and prints POC/POD/POS.
 * Local directories only: re-planning a fleet mission from S3 and recording the plan in
 * mission_results is not done yet.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { NetCDFReader } from 'netcdfjs';
import { bayesUpdate, type Tracks } from '../../search/index.js';
import { searchIssueError, searchIssues, searchParamsSchema, type SearchParams } from '../../search/params.js';
import { planMission, searchSummary, writeSearchPlanFiles, type MissionSearch } from '../../products/search-plan.js';
import { resolveSearch } from '../../search/params.js';
import { onePositional, parse } from '../args.js';
import { EXIT, UsageError } from '../errors.js';
import { out, printJson } from '../output.js';

const USAGE = `usage: driftline plan <out dir> --unit name,speed_kn,endurance_h,sweep_width_nm[,track_spacing_nm] ...
                      [--at ISO] [--completed file.geojson] [--detection exponential|inverse_cube] [--json]

Plans search rectangles on the particles a local \`driftline run --out DIR\` stored in DIR/raw/particles.nc
(weighted by its 'weight'), and writes DIR/products/search_plan.geojson and .kml.

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

/**
 * The byte `status` variable. netcdfjs reads bytes one boxed value at a time (5.8 s for 2.5 M at
 * 100 000 particles × 25 times, against 0.3 s for a float variable), so a non-record byte variable is
 * copied straight from the file (NetCDF-3 stores it contiguously at its header offset). Fill (-1, all
 * bits set) after deactivation and before release reads as 255: never "active".
 */
function readStatus(nc: NetCDFReader, bytes: Uint8Array, count: number): Uint8Array {
  const v = (nc.header.variables as { name: string; type: string; offset: number; record: boolean }[]).find((x) => x.name === 'status');
  if (v !== undefined && v.type === 'byte' && !v.record && Number(v.offset) + count <= bytes.length) {
    return Uint8Array.from(bytes.subarray(Number(v.offset), Number(v.offset) + count));
  }
  return Uint8Array.from(nc.getDataVariable('status') as number[], (s) => Number(s) & 0xff);
}

/** Positions, status, times and weights of a stored particles.nc (particle-major, as the writer lays them out). */
export function readStoredParticles(bytes: Uint8Array): { tracks: Tracks; weight: Float64Array } {
  const nc = new NetCDFReader(bytes);
  const timesSec = Float64Array.from(nc.getDataVariable('time') as number[]);
  const lon = nc.getDataVariable('lon') as number[];
  const nTimes = timesSec.length;
  const nParticles = nTimes > 0 ? lon.length / nTimes : 0;
  const hasWeight = nc.variables.some((v: { name: string }) => v.name === 'weight');
  const weight = hasWeight ? Float64Array.from(nc.getDataVariable('weight') as number[]) : new Float64Array(nParticles).fill(1 / Math.max(1, nParticles));
  return {
    tracks: {
      nParticles,
      nTimes,
      timesSec,
      lonDeg: Float32Array.from(lon),
      latDeg: Float32Array.from(nc.getDataVariable('lat') as number[]),
      status: readStatus(nc, bytes, nParticles * nTimes),
    },
    weight,
  };
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
  const dir = path.resolve(onePositional(positionals, 'output directory', USAGE));
  const units = ((v.unit as string[] | undefined) ?? []).map(parseUnit);
  if (units.length === 0) throw new UsageError(`at least one --unit is needed\n\n${USAGE}`);
  const ncPath = path.join(dir, 'raw/particles.nc');
  const bytes = await readFile(ncPath).catch((e: Error) => {
    throw new UsageError(`${ncPath}: ${e.message}`);
  });
  const { tracks, weight } = readStoredParticles(bytes);
  if (tracks.nTimes === 0 || tracks.nParticles === 0) throw new UsageError(`${ncPath}: no particles or no output times`);
  const first = tracks.timesSec[0]!;
  const last = tracks.timesSec[tracks.nTimes - 1]!;
  const completedFile = v.completed as string | undefined;
  const completed = completedFile ? completedFromGeoJson(await readFile(completedFile, 'utf8'), completedFile) : [];
  const raw = {
    plan: { start_time: (v.at as string | undefined) ?? new Date(Math.min(first, last) * 1000).toISOString(), units },
    completed,
    ...(v.detection ? { detection: v.detection } : {}),
  };
  const parsed = searchParamsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw searchIssueError({ path: issue.path.filter((p): p is string | number => typeof p !== 'symbol'), message: issue.message }, 'search');
  }
  const search: SearchParams = parsed.data;
  const run = { startTimeSec: first, durationSec: Math.abs(last - first), backward: last < first };
  const issues = searchIssues(search, run);
  if (issues[0]) throw searchIssueError(issues[0], 'search');

  const resolved = resolveSearch(search);
  const bayes = resolved.completed.length > 0 ? bayesUpdate(tracks, weight, resolved.completed, resolved.law, 'search.completed') : null;
  const ms: MissionSearch = { resolved, weights: bayes?.weight ?? weight, bayes };
  const mp = planMission(tracks, ms);
  if (mp === null) throw new UsageError('nothing to plan');
  const missionId = path.basename(dir);
  const files = await writeSearchPlanFiles(mp, dir, missionId);
  const summary = searchSummary(ms, mp);
  if (v.json) {
    printJson({ ...summary, products: files.map((f) => f.relPath) });
  } else {
    for (const u of mp.plan.units) {
      out(`${u.unit}: POC ${(100 * u.poc).toFixed(1)} %, POD ${(100 * u.pod).toFixed(1)} %, POS ${(100 * u.pos).toFixed(1)} % (${u.lengthNm.toFixed(2)} × ${u.widthNm.toFixed(2)} NM, spacing ${u.trackSpacingNm.toFixed(2)} NM)`);
    }
    out(`cumulative POS ${(100 * mp.plan.cumulativePos).toFixed(1)} %${mp.skipped.length > 0 ? `; not planned: ${mp.skipped.join(', ')}` : ''}`);
    for (const f of files) out(`${f.relPath}  ${f.bytes} bytes`);
  }
  return EXIT.OK;
}
