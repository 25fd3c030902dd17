import { run, type Queryable } from '../pool.js';
import type { MissionStatus } from './types.js';

/**
 * The few columns an event stream follows, for every mission some stream watches, in one query per
 * poll (the API's shared poller: one query a second whatever the number of open streams).
 */
const SQL = `
SELECT id, status, progress, warnings, error, error_code, cancel_requested_at, updated_at
FROM missions WHERE id = ANY($1::text[])`;

export interface MissionState {
  id: string;
  status: MissionStatus;
  progress: number;
  warnings: string[] | null;
  error: string | null;
  error_code: string | null;
  cancel_requested_at: Date | null;
  updated_at: Date;
}

export async function getMissionStates(db: Queryable, missionIds: string[]): Promise<MissionState[]> {
  const r = await run<MissionState>(db, 'get mission states', SQL, [missionIds]);
  return r.rows;
}
