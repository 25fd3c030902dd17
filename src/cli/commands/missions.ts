/** `driftline missions [--status S] [--limit N] [--json]`: the newest missions first. */
import { listMissions, MISSION_STATUSES, type MissionStatus } from '../../db/queries/index.js';
import { numberFlag, parse } from '../args.js';
import { EXIT, UsageError } from '../errors.js';
import { err, iso, out, printJson, printTable } from '../output.js';
import { withServices } from '../services.js';

const USAGE = `usage: driftline missions [--status queued|processing|completed|failed] [--limit N] [--json]`;

export async function missionsCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parse(argv, { status: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
  if (v.help) {
    out(USAGE);
    return EXIT.OK;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\n\n${USAGE}`);
  const status = v.status as string | undefined;
  if (status !== undefined && !MISSION_STATUSES.includes(status as MissionStatus)) {
    throw new UsageError(`--status: expected one of ${MISSION_STATUSES.join(', ')}, got "${status}"`);
  }
  const limit = numberFlag(v.limit as string | undefined, 'limit', { integer: true, min: 1, max: 10_000 }) ?? 20;
  return withServices(async (s) => {
    const rows = await listMissions(s.pool, { ...(status ? { status: status as MissionStatus } : {}), limit });
    if (v.json) {
      printJson(rows);
      return EXIT.OK;
    }
    if (rows.length === 0) {
      err(`no missions${status ? ` with status ${status}` : ''}`);
      return EXIT.OK;
    }
    printTable(
      ['MISSION', 'STATUS', 'PROGRESS', 'ATTEMPTS', 'WORKER', 'CREATED', 'ERROR'],
      rows.map((m) => [m.id, m.status, `${Math.round(m.progress * 100)}%`, m.attempts, m.worker_id, iso(m.created_at), m.error?.slice(0, 80)]),
    );
    return EXIT.OK;
  });
}
