/**
 * `params.search` of a job (issue 8): a search plan and the searches already done without success.
 * The zod schema checks shapes and signs (a zero endurance is refused by `.positive()`, naming
 * `params.search.plan.units[k].endurance_h`); `refineSearch` checks what needs the run's window (plan
 * and search times inside the run) and the polygons (closed, not self-crossing: validateRing), so a
 * bad job fails at validation, before any simulation, with the field named. `resolveSearch`
 * (resolve.ts, without zod: the product writers' threads need it, not the schema) turns the validated
 * params into the numbers the products use. Pure (zod only).
 */
import { z } from '../vendor/zod.js';
import { DriftlineError } from '../errors.js';
import { validateRing } from './polygon.js';
import { isoSeconds } from '../time.js';

const isoTime = z.iso.datetime({ offset: true });
const positive = z.number().finite().positive();
// 24 units: more than a coordination cell tasks at once; each costs one rectangle optimisation.
const MAX_UNITS = 24;
const MAX_COMPLETED = 100;

const unitSchema = z
  .object({
    name: z.string().min(1).max(100),
    speed_kn: positive.max(1000),
    endurance_h: positive.max(240),
    sweep_width_nm: positive.max(100),
    track_spacing_nm: positive.max(100).optional(),
  })
  .strict();

const completedSchema = z
  .object({
    name: z.string().min(1).max(100),
    start_time: isoTime,
    end_time: isoTime,
    // Shape only here; closure and self-crossing are checked by validateRing in refineSearch.
    polygon: z.array(z.tuple([z.number().finite(), z.number().finite()])).min(4).max(5000),
    sweep_width_nm: positive.max(100),
    track_spacing_nm: positive.max(100),
  })
  .strict();

export const searchParamsSchema = z
  .object({
    plan: z.object({ start_time: isoTime, units: z.array(unitSchema).min(1).max(MAX_UNITS) }).strict().optional(),
    detection: z.enum(['exponential', 'inverse_cube']).default('exponential'),
    completed: z.array(completedSchema).max(MAX_COMPLETED).default([]),
  })
  .strict();

export type SearchParams = z.infer<typeof searchParamsSchema>;

export interface RunWindow {
  startTimeSec: number;
  durationSec: number;
  /** time_step_seconds < 0 */
  backward: boolean;
}

interface Issue {
  path: (string | number)[];
  message: string;
}

function runBounds(run: RunWindow): [number, number] {
  return run.backward ? [run.startTimeSec - run.durationSec, run.startTimeSec] : [run.startTimeSec, run.startTimeSec + run.durationSec];
}

const iso = isoSeconds;

/** Problems that need the run's window; paths are relative to `params.search`. */
export function searchIssues(s: SearchParams, run: RunWindow): Issue[] {
  const out: Issue[] = [];
  const [lo, hi] = runBounds(run);
  const inRun = (t: number) => t >= lo && t <= hi;
  const runText = `the run [${iso(lo)}, ${iso(hi)}]`;
  if (s.plan) {
    const startSec = Date.parse(s.plan.start_time) / 1000;
    if (!inRun(startSec)) {
      out.push({ path: ['plan', 'start_time'], message: `${iso(startSec)} is outside ${runText}${!run.backward && startSec < lo ? ' (before the start of a forward run)' : ''}` });
    } else {
      s.plan.units.forEach((u, k) => {
        // The plan is made at the middle of the unit's window, so that middle must be inside the run.
        const midSec = startSec + (u.endurance_h * 3600) / 2;
        if (!inRun(midSec)) out.push({ path: ['plan', 'units', k, 'endurance_h'], message: `the middle of this unit's search window (${iso(midSec)}) is outside ${runText}` });
      });
    }
  }
  s.completed.forEach((c, k) => {
    const a = Date.parse(c.start_time) / 1000;
    const b = Date.parse(c.end_time) / 1000;
    if (!(b > a)) out.push({ path: ['completed', k, 'end_time'], message: 'must be after start_time' });
    else if (!inRun(a)) out.push({ path: ['completed', k, 'start_time'], message: `${iso(a)} is outside ${runText}` });
    else if (!inRun(b)) out.push({ path: ['completed', k, 'end_time'], message: `${iso(b)} is outside ${runText}` });
    const field = `params.search.completed[${k}].polygon`;
    try {
      validateRing(c.polygon, field);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      out.push({ path: ['completed', k, 'polygon'], message: msg.startsWith(`${field}: `) ? msg.slice(field.length + 2) : msg });
    }
  });
  return out;
}

/** Thrown by callers outside zod (e.g. `driftline plan`) for the first issue. */
export function searchIssueError(issue: Issue, prefix = 'params.search'): DriftlineError {
  const field = [prefix, ...issue.path].reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : `${acc}.${p}`), '').slice(1);
  return new DriftlineError('E_JOB_INVALID', `${field}: ${issue.message}`, { field });
}
