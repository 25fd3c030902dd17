/**
 * The Lua side of the queue protocol (src/queue/lua/*.lua, each opening with its KEYS/ARGV contract),
 * registered on an ioredis connection as custom commands (EVALSHA, falling back to EVAL after a
 * Redis restart flushed the script cache).
 *
 * The .lua files sit next to this module: src/queue/lua (tsx, vitest), and dist/queue/lua where
 * `npm run build` copies them (scripts/copy-assets.mjs). A bare `tsc` leaves them out of dist/, so
 * the source tree is the fallback.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

const LUA_DIRS = [new URL('./lua/', import.meta.url), new URL('../../src/queue/lua/', import.meta.url)];

/** Script name -> number of KEYS (the suffix of its file name, BullMQ style). */
const SCRIPTS = {
  register: 2,
  renew: 2,
  ack: 2,
  reap: 4,
  requeue: 3,
  deadLetter: 3,
  retryDead: 2,
  findUnlisted: 2,
  holds: 1,
} as const;

const FILES: Record<keyof typeof SCRIPTS, string> = {
  register: 'register-2.lua',
  renew: 'renew-2.lua',
  ack: 'ack-2.lua',
  reap: 'reap-4.lua',
  requeue: 'requeue-3.lua',
  deadLetter: 'dead-letter-3.lua',
  retryDead: 'retry-dead-2.lua',
  findUnlisted: 'find-unlisted-2.lua',
  holds: 'holds-1.lua',
};

export interface QueueCommands {
  register(lease: string, workers: string, workerId: string, leaseMs: number, token: string): Promise<number>;
  renew(lease: string, workers: string, workerId: string, leaseMs: number, token: string): Promise<number>;
  ack(processing: string, lease: string, raw: string, token: string): Promise<number>;
  reap(lease: string, processing: string, queue: string, workers: string, workerId: string): Promise<number>;
  requeue(processing: string, queue: string, lease: string, raw: string, token: string): Promise<number>;
  deadLetter(processing: string, dead: string, lease: string, raw: string, envelope: string, token: string): Promise<number>;
  retryDead(dead: string, queue: string, missionId: string): Promise<string | null>;
  findUnlisted(queue: string, workers: string, processingPrefix: string, ...missionIds: string[]): Promise<string[]>;
  holds(processing: string, missionId: string): Promise<number>;
}

let sources: Record<string, string> | null = null;

function loadSources(): Record<string, string> {
  if (sources === null) {
    const dir = LUA_DIRS.find((d) => existsSync(new URL(FILES.register, d)));
    if (dir === undefined) throw new Error(`queue scripts not found in ${LUA_DIRS.map((d) => d.pathname).join(' or ')}: run npm run build`);
    sources = Object.fromEntries(Object.entries(FILES).map(([name, file]) => [name, readFileSync(new URL(file, dir), 'utf8')]));
  }
  return sources;
}

/** Define the protocol's commands on a connection (idempotent per connection). */
export function withQueueCommands(redis: Redis): Redis & QueueCommands {
  const r = redis as Redis & QueueCommands & { __driftlineScripts?: true };
  if (!r.__driftlineScripts) {
    const lua = loadSources();
    for (const [name, numberOfKeys] of Object.entries(SCRIPTS)) {
      redis.defineCommand(name, { numberOfKeys, lua: lua[name] ?? '' });
    }
    r.__driftlineScripts = true;
  }
  return r;
}
