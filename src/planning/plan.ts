/**
 * Re-planning's request and its pure part (issue 8 item 8): the request schema shared by `driftline
 * plan` and POST /missions/:id/plan, its validation against the stored run with every invalid field
 * named, the plan on stored particles, and the local-directory case. No S3 or PostgreSQL here, so a
 * local `driftline plan DIR` loads neither (replan.ts adds the fleet mission case).
 */
import path from 'node:path';
import { z } from '../vendor/zod.js';
import { DriftlineError } from '../errors.js';
import { planMission, searchSummary, writeSearchPlanFiles, type MissionPlan, type MissionSearch } from '../products/search-plan.js';
import type { ProductFile } from '../products/types.js';
import { bayesUpdate } from '../search/index.js';
import { searchIssues, searchParamsSchema, type SearchParams } from '../search/params.js';
import { resolveSearch } from '../search/resolve.js';
import { readLocalParticles, type StoredParticles } from './stored-particles.js';

const planShape = searchParamsSchema.shape.plan.unwrap().shape;

/** The body of POST /missions/:id/plan, and what `driftline plan` builds from its flags. */
export const replanRequestSchema = z
  .object({
    units: planShape.units.describe('search units, planned in this order (greedy, non-overlapping rectangles)'),
    at: planShape.start_time.optional().describe("start of every unit's search window (default: the run's first output time)"),
    completed: searchParamsSchema.shape.completed.describe('more searches that found nothing, applied to the stored weights first'),
    detection: searchParamsSchema.shape.detection.describe('detection law: exponential (default) or inverse_cube'),
  })
  .strict();

export type ReplanRequest = z.input<typeof replanRequestSchema>;

export const PLAN_KINDS = ['search_plan_geojson', 'search_plan_kml'] as const;

/** One invalid field of a plan request, by its path in the request (units[0].endurance_h, at, …). */
export interface PlanIssue {
  path: (string | number)[];
  message: string;
}

const fieldOf = (p: (string | number)[], prefix = ''): string =>
  p.reduce<string>((acc, x) => (typeof x === 'number' ? `${acc}[${x}]` : acc === '' ? x : `${acc}.${x}`), prefix);

/** Thrown for a request that fails validation: every invalid field, named. */
export class PlanRequestError extends DriftlineError {
  readonly issues: PlanIssue[];
  constructor(issues: PlanIssue[]) {
    super('E_JOB_INVALID', issues.map((i) => `${fieldOf(i.path) || '(body)'}: ${i.message}`).join('; '), issues[0] ? { field: fieldOf(issues[0].path) } : {});
    this.issues = issues;
  }
  /** The issue's field as in a job's params (`search.plan.units[0].endurance_h`), for the CLI. */
  static searchField(issue: PlanIssue): string {
    const [head, ...rest] = issue.path;
    const p = head === 'at' ? ['plan', 'start_time', ...rest] : head === 'units' ? ['plan', 'units', ...rest] : issue.path;
    return fieldOf(p, 'search');
  }
}

/** A search-params path (['plan', 'start_time'], ['plan', 'units', 0, …]) as a request path. */
function requestPath(p: (string | number)[]): (string | number)[] {
  if (p[0] !== 'plan') return p;
  if (p[1] === 'start_time') return ['at', ...p.slice(2)];
  if (p[1] === 'units') return ['units', ...p.slice(2)];
  return ['units'];
}

export interface ReplanOutcome {
  search: MissionSearch;
  plan: MissionPlan;
  /** As summary.json's `search` (POC/POD/POS per unit, cumulative POS, the completed searches). */
  summary: Record<string, unknown>;
}

/** Validate the request against the stored run and plan on its particles. Pure apart from the clock-free maths. */
export function planOnParticles(stored: StoredParticles, raw: unknown): ReplanOutcome {
  const { tracks, weight } = stored;
  const first = tracks.timesSec[0];
  const last = tracks.timesSec[tracks.nTimes - 1];
  if (first === undefined || last === undefined || tracks.nParticles === 0) throw new DriftlineError('E_CONFLICT', 'the stored particles.nc has no particles or no output times');
  const parsed = replanRequestSchema.safeParse(raw);
  if (!parsed.success) throw new PlanRequestError(parsed.error.issues.map((i) => ({ path: i.path.filter((x): x is string | number => typeof x !== 'symbol'), message: i.message })));
  const req = parsed.data;
  const search: SearchParams = {
    plan: { start_time: req.at ?? new Date(Math.min(first, last) * 1000).toISOString(), units: req.units },
    completed: req.completed,
    detection: req.detection,
  };
  const issues = searchIssues(search, { startTimeSec: first, durationSec: Math.abs(last - first), backward: last < first });
  if (issues.length > 0) throw new PlanRequestError(issues.map((i) => ({ path: requestPath(i.path), message: i.message })));
  const resolved = resolveSearch(search);
  const bayes = resolved.completed.length > 0 ? bayesUpdate(tracks, weight, resolved.completed, resolved.law, 'completed') : null;
  const ms: MissionSearch = { resolved, weights: bayes?.weight ?? weight, bayes };
  const mp = planMission(tracks, ms);
  if (mp === null) throw new DriftlineError('E_INTERNAL', 'no plan was made'); // plan is set and nTimes > 0: unreachable
  // The prior is what particles.nc stores (the run's posterior), not necessarily equal weights.
  const summary = { ...searchSummary(ms, mp), weights: bayes === null ? 'stored (particles.nc weight)' : 'stored (particles.nc weight), then the posterior after the completed searches' };
  return { search: ms, plan: mp, summary };
}

/** Re-plan a local run directory; writes DIR/products/search_plan.{geojson,kml}. */
export async function planLocalDir(dir: string, raw: unknown): Promise<ReplanOutcome & { files: ProductFile[] }> {
  const stored = await readLocalParticles(path.join(dir, 'raw/particles.nc'));
  const outcome = planOnParticles(stored, raw);
  const files = await writeSearchPlanFiles(outcome.plan, dir, path.basename(dir));
  return { ...outcome, files };
}
