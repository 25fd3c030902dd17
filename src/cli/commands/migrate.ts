/** `driftline migrate`: apply sql/NNN_*.sql that are not applied yet (idempotent, lock-protected). */
import { loadConfig } from '../../config.js';
import { migrate } from '../../db/migrate.js';
import { parse } from '../args.js';
import { EXIT } from '../errors.js';
import { out, printJson } from '../output.js';

const USAGE = `usage: driftline migrate [--json]

Applies the numbered migrations in sql/ to DATABASE_SCHEMA (created if missing). Safe to run again
and from several processes at once (PostgreSQL advisory lock).`;

export async function migrateCommand(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, { json: { type: 'boolean' } }, USAGE);
  if (v.help) {
    out(USAGE);
    return EXIT.OK;
  }
  const result = await migrate(loadConfig());
  if (v.json) printJson(result);
  else if (result.applied.length === 0) out(`schema ${result.schema} is up to date (version ${result.current})`);
  else {
    for (const m of result.applied) out(`applied ${String(m.version).padStart(3, '0')}_${m.name}`);
    out(`schema ${result.schema} now at version ${result.current}`);
  }
  return EXIT.OK;
}
