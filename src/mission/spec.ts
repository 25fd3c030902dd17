/**
 * One mission, resolved: what the pipeline (run.ts) needs and nothing about the job's wire format.
 * Built once from a validated job by src/job/resolve.ts (the worker, `driftline run` and the library's
 * runLocalMission each resolve at their edge); the model, forcing and products read only their part.
 */
import type { ForcingDescriptor, ForcingRequest } from '../forcing/types.js';
import type { ModelParams } from '../model/types.js';
import type { ProductContext, ProductOptions } from '../products/types.js';
import type { SearchParams } from '../search/params.js';

export interface MissionSpec {
  missionId: string;
  /** The model's SI parameters (category, seeding, steps, options, scenarios). */
  model: ModelParams;
  /** Which forcing to read, the environment's defaults applied. */
  forcing: ForcingRequest;
  products: ProductOptions;
  /** Search planning inputs (`params.search`): completed searches, a plan to make. */
  search?: SearchParams;
  /** `params.scenarios[k].name` by scenario index; undefined where the job gave none. */
  scenarioNames?: ReadonlyArray<string | undefined>;
  /**
   * The job's params as validated, kept only as provenance: summary.json `params` (secrets redacted)
   * and the `mission_*` attributes of the NetCDF products. Nothing reads a setting from it.
   */
  provenance: Readonly<Record<string, unknown>>;
}

/** What every product reads about the mission (src/products/types.ts ProductContext), from its spec. */
export function productContextFor(
  spec: MissionSpec,
  forcing: ForcingDescriptor['sources'],
  meta: { softwareVersion: string; createdAtIso: string },
): ProductContext {
  const wind = spec.forcing.wind;
  return {
    missionId: spec.missionId,
    provenance: spec.provenance,
    options: spec.products,
    ...(spec.search !== undefined ? { search: spec.search } : {}),
    ...(spec.scenarioNames !== undefined ? { scenarioNames: spec.scenarioNames } : {}),
    ...(wind.kind === 'constant' ? { constantWindMps: [wind.uMps, wind.vMps] as const } : {}),
    model: spec.model,
    category: spec.model.category,
    forcing,
    ...meta,
  };
}
