// What the product benchmarks share: a products' context built from a validated job as the pipeline
// builds it (src/job/resolve.ts, then src/mission/spec.ts productContextFor). Import it after
// requireDist(): it loads dist/.
import { dist } from './dist.mjs';

const { validateJob } = await import(dist('job/validate.js'));
const { resolveMission } = await import(dist('job/resolve.js'));
const { productContextFor } = await import(dist('mission/spec.js'));

/** The environment a bench runs in: no forcing URIs, the default fallback constants. */
const FORCING_DEFAULTS = { FORCING_FALLBACK: 'constant', FORCING_FALLBACK_WIND: [5, 0], FORCING_FALLBACK_CURRENT: [0, 0] };
const constant = ([u, v]) => ({ kind: 'constant', description: `constant [${u}, ${v}] m/s`, fallback: false });

/** The context of mission `missionId` with job `params`, its products saying the forcing was the given constants. */
export function benchContext(missionId, params, forcing) {
  const spec = resolveMission(validateJob({ mission_id: missionId, params }), FORCING_DEFAULTS);
  return productContextFor(spec, { wind: constant(forcing.wind), current: constant(forcing.current) }, { softwareVersion: 'bench', createdAtIso: new Date().toISOString() });
}
