/**
 * A private PostgreSQL server (Debian's initdb and pg_ctl) on a free port, with its data directory
 * and socket in a temp dir, for the test that restarts PostgreSQL under a running worker: the shared
 * server must not be restarted. stop() is a real `pg_ctl stop -m fast` (every client sees 57P01, then
 * ECONNREFUSED), start() brings it back on the same port and data.
 *
 * initdb and postgres refuse to run as root: as root, the dir is given to the `postgres` OS user and
 * every command runs through `runuser -u postgres`; otherwise as the current user.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';

const execFileAsync = promisify(execFile);

/** initdb + a start take 1-3 s here; 30 s is for a loaded CI machine. */
const COMMAND_TIMEOUT_MS = 30_000;

/** The newest /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl (Debian's layout). */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+(\.\d+)?$/.test(v)) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = path.join(root, v, 'bin');
    if (existsSync(path.join(bin, 'initdb')) && existsSync(path.join(bin, 'pg_ctl'))) return bin;
  }
  throw new Error(`no PostgreSQL server binaries under ${root}/<version>/bin (apt-get install postgresql)`);
}

export interface PrivatePostgres {
  /** postgresql://postgres@127.0.0.1:<port>/postgres, trust auth. */
  url: string;
  port: number;
  /** pg_ctl stop -m fast: open connections are terminated, new ones refused. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stop (immediate) and remove the data directory; safe to call twice or after a failed start. */
  close(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  const asRoot = process.getuid?.() === 0;
  // As root, /tmp rather than a possibly private TMPDIR: the postgres user must reach the dir.
  const dir = mkdtempSync(path.join(asRoot ? '/tmp' : os.tmpdir(), 'driftline-pg-'));
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const command = (tool: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]] : [path.join(bin, tool), args];
  const exec = async (tool: string, args: string[]) => {
    const [file, argv] = command(tool, args);
    try {
      await execFileAsync(file, argv, { timeout: COMMAND_TIMEOUT_MS });
    } catch (err) {
      let serverLog = '';
      try {
        serverLog = readFileSync(logFile, 'utf8').slice(-2000);
      } catch {
        // no log yet
      }
      const e = err as { message: string; stderr?: string };
      throw new Error(`${tool} ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}\n${serverLog}`, { cause: err });
    }
  };

  const port = await freePort();
  // The socket goes in our dir (not /var/run/postgresql, which may not exist or be the shared server's).
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`;
  let closed = false;
  const stopSync = () => {
    if (closed || !existsSync(path.join(dataDir, 'postmaster.pid'))) return;
    const [file, argv] = command('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    spawnSync(file, argv, { stdio: 'ignore', timeout: COMMAND_TIMEOUT_MS });
  };
  // If the test process dies without afterAll, do not leave a postmaster behind.
  process.once('exit', stopSync);

  const server: PrivatePostgres = {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: () => exec('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop']),
    start: () => exec('pg_ctl', ['-D', dataDir, '-l', logFile, '-o', serverOptions, '-w', '-t', '30', 'start']),
    async close() {
      if (closed) return;
      stopSync();
      closed = true;
      process.removeListener('exit', stopSync);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await exec('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
    await server.start();
  } catch (err) {
    await server.close();
    throw err;
  }
  return server;
}
