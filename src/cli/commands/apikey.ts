/** `driftline apikey create|list|revoke`: API keys for `driftline serve` (sql/005, src/api/keys.ts). */
import { generateApiKey } from '../../api/keys.js';
import { migrate } from '../../db/migrate.js';
import { insertApiKey, listApiKeys, revokeApiKey } from '../../db/queries/index.js';
import { parse } from '../args.js';
import { EXIT, UsageError } from '../errors.js';
import { err, iso, out, printJson, printTable } from '../output.js';
import { withServices } from '../services.js';

const USAGE = `usage: driftline apikey create --name NAME [--json]
       driftline apikey list [--json]
       driftline apikey revoke <id>

  create   prints a new key ONCE on stdout (only its sha256 is stored): keep it now
  list     id, name, created, revoked (never the key)
  revoke   refuse the key from now on (the API notices within 1 s)`;

export async function apikeyCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parse(argv, { name: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
  if (v.help) {
    out(USAGE);
    return EXIT.OK;
  }
  const [sub, ...rest] = positionals;
  if (sub !== 'create' && sub !== 'list' && sub !== 'revoke') throw new UsageError(`expected create, list or revoke\n\n${USAGE}`);
  const name = v.name as string | undefined;
  if (sub === 'create' && (name === undefined || name.trim() === '' || name.length > 200)) throw new UsageError(`create needs --name (1-200 characters), e.g. --name "rcc-console"\n\n${USAGE}`);
  if (sub === 'revoke' && (rest.length !== 1 || !/^[0-9a-f]{8}$/.test(rest[0] ?? ''))) throw new UsageError(`revoke needs one key id (8 hex characters, from \`apikey list\`)\n\n${USAGE}`);
  if (sub !== 'revoke' && rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"\n\n${USAGE}`);

  return withServices(async (s) => {
    if (s.config.MIGRATE_ON_START) await migrate(s.config);
    if (sub === 'create') {
      const k = generateApiKey();
      const row = await insertApiKey(s.pool, { id: k.id, name: (name ?? '').trim(), sha256: k.sha256 });
      if (v.json) printJson({ id: row.id, name: row.name, key: k.key, created_at: iso(row.created_at) });
      else {
        out(k.key);
        err(`created API key ${row.id} ("${row.name}"); this is the only time the key is shown`);
      }
      return EXIT.OK;
    }
    if (sub === 'list') {
      const rows = await listApiKeys(s.pool);
      if (v.json) printJson(rows.map((r) => ({ id: r.id, name: r.name, created_at: iso(r.created_at), revoked_at: iso(r.revoked_at) })));
      else if (rows.length === 0) err('no API keys; create one with `driftline apikey create --name NAME`');
      else printTable(['ID', 'NAME', 'CREATED', 'REVOKED'], rows.map((r) => [r.id, r.name, iso(r.created_at), iso(r.revoked_at)]));
      return EXIT.OK;
    }
    const id = rest[0] ?? '';
    const row = await revokeApiKey(s.pool, id);
    if (row === null) {
      err(`no API key ${id}`);
      return EXIT.FAILED;
    }
    err(`revoked API key ${row.id} ("${row.name}") at ${iso(row.revoked_at)}`);
    return EXIT.OK;
  });
}
