/** `driftline status <mission_id> [--json]`: the mission row and its products. */
import { getMission, getMissionResults } from '../../db/queries/index.js';
import { onePositional, parse } from '../args.js';
import { EXIT } from '../errors.js';
import { err, formatBytes, iso, out, printJson, printTable } from '../output.js';
import { withServices } from '../services.js';

const USAGE = `usage: driftline status <mission_id> [--json]`;

export async function statusCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parse(argv, { json: { type: 'boolean' } }, USAGE);
  if (v.help) {
    out(USAGE);
    return EXIT.OK;
  }
  const id = onePositional(positionals, 'mission id', USAGE);
  return withServices(async (s) => {
    const m = await getMission(s.pool, id);
    if (m === null) {
      if (v.json) printJson({ id, found: false });
      err(`mission ${id}: not found in ${s.config.DATABASE_SCHEMA}.missions (pushed without PostgreSQL and not yet taken? try: driftline queue peek)`);
      return EXIT.FAILED;
    }
    const results = await getMissionResults(s.pool, id);
    if (v.json) {
      printJson({ ...m, found: true, results });
      return EXIT.OK;
    }
    out(`mission    ${m.id}`);
    out(`status     ${m.status}${m.status === 'processing' ? ` (${Math.round(m.progress * 100)} %)` : ''}`);
    out(`attempts   ${m.attempts}`);
    out(`worker     ${m.worker_id ?? '-'}`);
    out(`created    ${iso(m.created_at)}`);
    out(`started    ${iso(m.started_at) ?? '-'}`);
    out(`finished   ${iso(m.completed_at) ?? '-'}`);
    out(`heartbeat  ${iso(m.heartbeat_at) ?? '-'}`);
    if (m.error) out(`error      ${m.error}`);
    for (const w of m.warnings ?? []) out(`warning    ${w}`);
    if (results.length > 0) {
      out('');
      printTable(['KIND', 'SIZE', 'SHA256', 'URI'], results.map((r) => [r.kind, formatBytes(r.bytes), r.sha256.slice(0, 12), r.uri]));
    }
    return EXIT.OK;
  });
}
