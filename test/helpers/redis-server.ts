/**
 * A private redis-server (the Debian binary) on a free port, for tests that restart Redis under
 * running workers: the shared Redis must not be restarted. restart() kills it with SIGKILL and starts
 * it again on the same port and data. Persistence: 'aof-always' (an append-only file fsynced on every
 * write: nothing acknowledged is lost), 'aof-everysec' (Redis's default AOF: up to about a second
 * lost) or 'none' (like the shared development Redis: a restart loses everything).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';

export interface PrivateRedis {
  url: string;
  restart(downMs?: number): Promise<void>;
  close(): Promise<void>;
}

export type RedisPersistence = 'aof-always' | 'aof-everysec' | 'none';

/** `extraArgs` go on redis-server's command line after the rest, e.g. `['--rename-command', 'CONFIG', '']`. */
export async function startPrivateRedis(persistence: RedisPersistence = 'aof-always', extraArgs: string[] = []): Promise<PrivateRedis> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess;
  const start = async () => {
    const aof = persistence === 'none' ? ['--appendonly', 'no'] : ['--appendonly', 'yes', '--appendfsync', persistence === 'aof-always' ? 'always' : 'everysec'];
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...aof, '--dir', dir, ...extraArgs], {
      stdio: 'ignore',
    });
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    // A wait on the event (PING answered), polled every 50 ms for at most 5 s.
    for (let i = 0; i < 100; i++) {
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error(`redis-server on port ${port} did not start`);
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url,
    async restart(downMs = 500) {
      await stop();
      // The outage itself: Redis stays down this long, which is what the tests that restart it exercise.
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
