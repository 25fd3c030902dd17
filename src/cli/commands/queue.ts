/** `driftline queue check|peek|clear [--dead]`, `driftline queue rejected`. */
import { listRejectedJobs } from '../../db/queries/index.js';
import type { DeadLetter } from '../../queue/queue.js';
import { numberFlag, parse } from '../args.js';
import { EXIT, UsageError } from '../errors.js';
import { err, out, printJson, printTable } from '../output.js';
import { withServices } from '../services.js';

const USAGE = `usage: driftline queue check [--json]
       driftline queue peek  [--dead] [--limit N] [--json]
       driftline queue clear [--dead] --yes
       driftline queue rejected [--limit N] [--json]

  check   lengths of the queue, of each worker's processing list (with its lease), and of the
          dead-letter list <queue>:dead
  peek    the first N jobs (default 10) of the queue, or of the dead letters with --dead
  clear   delete every job of the queue, or every dead letter with --dead (asks for --yes);
          processing lists are never cleared: those jobs are running
  rejected  the newest N jobs (default 10) that had no usable mission_id (not JSON, too large or
          too deep, no or a bad mission_id), from PostgreSQL (rejected_jobs), with the error and
          the start of the sanitised job text; --json prints the whole stored text (up to 16 KiB)`;

/** Untrusted text for a terminal: control characters (escape sequences, newlines) shown as '?'. */
function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

export async function queueCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parse(
    argv,
    { dead: { type: 'boolean' }, limit: { type: 'string' }, yes: { type: 'boolean' }, json: { type: 'boolean' } },
    USAGE,
  );
  if (v.help) {
    out(USAGE);
    return EXIT.OK;
  }
  const [sub, ...extra] = positionals;
  if (sub === undefined || !['check', 'peek', 'clear', 'rejected'].includes(sub) || extra.length > 0) {
    throw new UsageError(`expected check, peek, clear or rejected${sub ? `, got "${[sub, ...extra].join(' ')}"` : ''}\n\n${USAGE}`);
  }
  const list = v.dead ? 'dead' : 'queue';
  return withServices(async (s) => {
    if (sub === 'rejected') {
      const limit = numberFlag(v.limit as string | undefined, 'limit', { integer: true, min: 1 }) ?? 10;
      const rows = await listRejectedJobs(s.pool, limit);
      if (v.json) printJson(rows);
      else if (rows.length === 0) err('no rejected jobs');
      else
        printTable(
          ['ID', 'RECEIVED_AT', 'BYTES', 'ERROR', 'JOB'],
          rows.map((r) => [r.id, r.received_at.toISOString(), r.raw_bytes, printable(r.error.slice(0, 120)), printable(r.raw_job.slice(0, 60))]),
        );
      return EXIT.OK;
    }
    const q = await s.queue();
    if (sub === 'check') {
      const l = await q.lengths();
      const processing = l.processing.reduce((n, p) => n + p.length, 0);
      if (v.json) {
        // snake_case like every other --json output (status, missions, push, doctor).
        const workers = l.processing.map((p) => ({ worker_id: p.workerId, length: p.length, lease_alive: p.leaseAlive }));
        printJson({ queue: q.name, pending: l.queue, processing, dead: l.dead, workers });
      } else {
        out(`queue ${q.name}`);
        out(`  pending     ${l.queue}`);
        out(`  processing  ${processing}`);
        for (const p of l.processing) out(`    ${p.workerId}: ${p.length} (lease ${p.leaseAlive ? 'alive' : 'EXPIRED: the next reaper pass returns its jobs'})`);
        out(`  dead        ${l.dead}   (${q.keys.dead})`);
      }
      return EXIT.OK;
    }
    if (sub === 'peek') {
      const limit = numberFlag(v.limit as string | undefined, 'limit', { integer: true, min: 1 }) ?? 10;
      const entries = await q.peek(list, limit);
      if (list === 'dead') {
        const letters = entries.map((e) => {
          try {
            return JSON.parse(e) as DeadLetter;
          } catch {
            return { mission_id: null, raw: e, error: { code: '?', message: 'unreadable dead letter' } } as DeadLetter;
          }
        });
        if (v.json) printJson(letters);
        else if (letters.length === 0) err(`${q.keys.dead} is empty`);
        else printTable(['MISSION', 'FAILED_AT', 'ATTEMPTS', 'ERROR'], letters.map((d) => [d.mission_id, d.failed_at, d.attempts, `${d.error.code}: ${d.error.message}`]));
      } else if (v.json) {
        printJson(entries.map((e) => {
          try {
            return JSON.parse(e) as unknown;
          } catch {
            return e;
          }
        }));
      } else if (entries.length === 0) err(`${q.name} is empty`);
      else for (const e of entries) out(e);
      return EXIT.OK;
    }
    // clear
    const key = list === 'dead' ? q.keys.dead : q.name;
    if (!v.yes) {
      const n = (await q.peek(list, Number.MAX_SAFE_INTEGER)).length;
      err(`would delete ${n} ${list === 'dead' ? 'dead letters' : 'jobs'} from ${key}; run again with --yes to do it`);
      return EXIT.USAGE;
    }
    const n = await q.clear(list);
    out(`deleted ${n} ${list === 'dead' ? 'dead letters' : 'jobs'} from ${key}`);
    return EXIT.OK;
  });
}
