/**
 * Whether the S3 client has credentials at all, asked of the SDK's own chain (S3_ACCESS_KEY and
 * S3_SECRET_KEY when both are set; otherwise AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, ~/.aws profiles,
 * web identity, container or instance roles). A worker without any would simulate every mission and
 * then fail it at upload, so `driftline worker` refuses to start instead (E_CONFIG, exit 2), and
 * `driftline doctor` says credentials are missing rather than blaming the endpoint.
 *
 * This asks no server anything: S3 being down is a different problem, retried as usual.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config.js';
import { DriftlineError } from '../errors.js';

export type CredentialCheck = { ok: true; source: string } | { ok: false; error: DriftlineError };

const CHAIN = 'the AWS SDK chain';
const CHAIN_DETAIL = `${CHAIN} (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, ~/.aws, a container or instance role)`;

export async function checkS3Credentials(s3: S3Client, config: Pick<Config, 'S3_ACCESS_KEY' | 'S3_SECRET_KEY'>): Promise<CredentialCheck> {
  const hasKey = config.S3_ACCESS_KEY !== undefined;
  const hasSecret = config.S3_SECRET_KEY !== undefined;
  // createS3Client uses the pair only when both are set; one alone would silently fall back to the chain.
  if (hasKey !== hasSecret) {
    const missing = hasKey ? 'S3_SECRET_KEY' : 'S3_ACCESS_KEY';
    return { ok: false, error: new DriftlineError('E_CONFIG', `${missing} is not set while ${hasKey ? 'S3_ACCESS_KEY' : 'S3_SECRET_KEY'} is: set both`, { field: missing }) };
  }
  if (hasKey && hasSecret) return { ok: true, source: 'S3_ACCESS_KEY/S3_SECRET_KEY' };
  try {
    const creds = await s3.config.credentials();
    if (creds.accessKeyId && creds.secretAccessKey) return { ok: true, source: CHAIN };
  } catch {
    // The chain's own message lists every provider it tried; ours says what to set.
  }
  return {
    ok: false,
    error: new DriftlineError('E_CONFIG', `no S3 credentials: S3_ACCESS_KEY and S3_SECRET_KEY are not set and ${CHAIN_DETAIL} found none`, {
      field: 'S3_ACCESS_KEY',
    }),
  };
}
