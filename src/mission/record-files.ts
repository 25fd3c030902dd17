/**
 * particles.nc and leeway.txt of a mission whose other products another mission thread writes at the
 * same time (src/mission/thread-pool.ts writeProductsOnMissionThreads). This thread builds no density
 * grid and no search area: it needs the particle weights, computed here again (the other thread times
 * them, in `search_products` or `search_weights`; without completed searches they are the prior, a
 * fill), and the grid's warning, which needs only the grid's layout.
 */
import { densityGridLayout } from '../products/density-grid.js';
import { writeRecordFiles, type RecordFiles } from '../products/records.js';
import { missionSearch } from '../products/search-plan.js';
import type { ProductContext } from '../products/types.js';
import { addProductWarnings } from '../products/warnings.js';
import { scenarioPrior } from '../search/scenarios.js';
import type { TrajectoryResult } from '../model/types.js';

export interface RecordFilesInput {
  result: TrajectoryResult;
  ctx: ProductContext;
  workDir: string;
  /** params.products.density_cell_m: for the grid's warning. */
  cellM: number;
  /** The mission's warnings before its products. */
  warnings: string[];
}

/**
 * The two files, and their stage timings (`trajectory_nc`, `checksums`, `leeway_ascii`). particles.nc
 * carries the same warnings as when written with the other products (the input's, then
 * addProductWarnings'), except one the other thread adds meanwhile: "animation failed" or "map.png
 * failed", which is in summary.json.
 */
export async function writeMissionRecordFiles(input: RecordFilesInput): Promise<{ records: RecordFiles; timingsMs: Record<string, number> }> {
  const { result, ctx, workDir } = input;
  const warnings = [...input.warnings];
  addProductWarnings(result, densityGridLayout(result, input.cellM), warnings);
  const { weights } = missionSearch(result, ctx.search, scenarioPrior(ctx.model.scenarios, result.nParticles));
  const timingsMs: Record<string, number> = {};
  const records = await writeRecordFiles(result, { ...ctx, warnings }, workDir, weights, timingsMs);
  return { records, timingsMs };
}
