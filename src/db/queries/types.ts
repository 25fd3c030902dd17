/** Rows as the queries return them (snake_case, as in the tables; timestamps as Date). */
export type MissionStatus = 'queued' | 'processing' | 'completed' | 'failed' | 'cancelled';

export const MISSION_STATUSES: readonly MissionStatus[] = ['queued', 'processing', 'completed', 'failed', 'cancelled'];

export interface MissionRow {
  id: string;
  status: MissionStatus;
  params: unknown;
  attempts: number;
  worker_id: string | null;
  progress: number;
  error: string | null;
  error_code: string | null;
  warnings: string[] | null;
  timings_ms: Record<string, number> | null;
  particle_steps: string | null;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
  updated_at: Date;
  heartbeat_at: Date | null;
  /** Fencing token of the attempt holding the mission, "<attempts>:<worker_id>" (sql/003). */
  claim_token: string | null;
  cancel_requested_at: Date | null;
  /** Sanitised job text as received, kept for failed jobs (sql/003). */
  raw_job: string | null;
}

/** The columns a mission's API view shows (src/api/view.ts missionView): what status reads select. */
export type MissionViewRow = Pick<
  MissionRow,
  'id' | 'status' | 'progress' | 'attempts' | 'params' | 'warnings' | 'error' | 'error_code' | 'created_at' | 'started_at' | 'completed_at' | 'updated_at' | 'cancel_requested_at'
>;

export interface MissionResultRow {
  mission_id: string;
  kind: string;
  uri: string;
  /** bigint comes back as a string from pg; the queries cast to a JS number (files < 2^53 bytes). */
  bytes: number;
  content_type: string;
  sha256: string;
  created_at: Date;
}

/** The columns of a product the API shows (src/api/view.ts productViews). */
export type ProductRow = Pick<MissionResultRow, 'kind' | 'uri' | 'bytes' | 'content_type' | 'sha256'>;

/** A stored product, as the worker records it. */
export interface StoredResult {
  kind: string;
  uri: string;
  bytes: number;
  contentType: string;
  sha256: string;
}

/** An API key as listed (sql/005); the hash never leaves the database layer. */
export interface ApiKeyRow {
  id: string;
  name: string;
  created_at: Date;
  revoked_at: Date | null;
}
