/**
 * Tests that start from job params: resolve the forcing request with the config's defaults (as the
 * worker does, src/job/resolve.ts) and load it with the config's fetch context.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../../src/config.js';
import { loadForcing } from '../../src/forcing/load.js';
import type { ForcingDescriptor } from '../../src/forcing/types.js';
import { forcingRequest } from '../../src/job/resolve.js';
import type { JobParams } from '../../src/job/schema.js';
import type { Logger } from '../../src/logger.js';
import type { ModelParams } from '../../src/model/types.js';
import { fetchContextFor } from '../../src/storage/fetch.js';
import type { ForcingPolicy } from '../../src/storage/policy.js';

export function loadForcingFor(
  params: JobParams,
  model: ModelParams,
  io: { config: Config; s3: S3Client | null; logger: Logger; policy?: ForcingPolicy; signal?: AbortSignal },
): Promise<ForcingDescriptor> {
  // Resolved inside the promise, so a resolution error rejects as loadForcing's own errors do.
  return Promise.resolve().then(() => loadForcing(forcingRequest(params, io.config), model, fetchContextFor(io.config, io)));
}
