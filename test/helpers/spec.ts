/**
 * Tests that start from a job: resolve it as the worker does (src/job/resolve.ts) with the config's
 * default forcing settings (no FORCING_*_URI, constant fallbacks [5, 0] and [0, 0] m/s), and build the
 * products' context from the spec as the pipeline does.
 */
import type { ForcingDescriptor } from '../../src/forcing/types.js';
import { resolveMission, type ForcingDefaults } from '../../src/job/resolve.js';
import type { Job } from '../../src/job/schema.js';
import { productContextFor, type MissionSpec } from '../../src/mission/spec.js';
import type { ProductContext } from '../../src/products/types.js';

export const TEST_FORCING_DEFAULTS: ForcingDefaults = { FORCING_FALLBACK: 'constant', FORCING_FALLBACK_WIND: [5, 0], FORCING_FALLBACK_CURRENT: [0, 0] };

export function specOf(job: Job): MissionSpec {
  return resolveMission(job, TEST_FORCING_DEFAULTS);
}

export function productContextOf(
  job: Job,
  forcing: ForcingDescriptor['sources'],
  meta: { softwareVersion: string; createdAtIso: string } = { softwareVersion: '0.1.0-test', createdAtIso: '2024-03-03T00:00:00Z' },
): ProductContext {
  return productContextFor(specOf(job), forcing, meta);
}
