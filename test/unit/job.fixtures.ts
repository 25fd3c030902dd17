/** Test helper: the DriftlineError a job's validation throws (fails the test if the job is accepted). */
import { DriftlineError } from '../../src/errors.js';
import { validateJob } from '../../src/job/validate.js';

export function jobFailure(raw: unknown): DriftlineError {
  try {
    validateJob(raw);
  } catch (e) {
    if (e instanceof DriftlineError) return e;
    throw e;
  }
  throw new Error('job was accepted');
}
