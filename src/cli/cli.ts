/**
 * `driftline <command>`: the fleet's command line. Each command lives in commands/ and is imported
 * only when used, so `driftline status` does not load the simulation stack.
 * Exit codes: 0 ok, 1 failed (service down, not found, problems found), 2 usage or configuration error.
 */
import { VERSION } from '../version.js';
import { describeFailure, EXIT } from './errors.js';
import { err, exitQuietlyOnBrokenPipe, out } from './output.js';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  worker: { summary: 'run a worker: take missions from the queue until SIGTERM/SIGINT', load: async () => (await import('./commands/worker.js')).workerCommand },
  push: { summary: 'push test missions (flags or --file job.json; --multiple N)', load: async () => (await import('./commands/push.js')).pushCommand },
  queue: { summary: 'queue check|peek|clear [--dead]: lengths, jobs, emptying', load: async () => (await import('./commands/queue.js')).queueCommand },
  status: { summary: 'status <mission_id>: one mission and its products', load: async () => (await import('./commands/status.js')).statusCommand },
  missions: { summary: 'missions [--status S] [--limit N]: recent missions', load: async () => (await import('./commands/missions.js')).missionsCommand },
  retry: { summary: 'retry <mission_id>: dead letter back to the queue', load: async () => (await import('./commands/retry.js')).retryCommand },
  migrate: { summary: 'apply database migrations (idempotent)', load: async () => (await import('./commands/migrate.js')).migrateCommand },
  doctor: { summary: 'check configuration, Redis, PostgreSQL, S3 and ffmpeg', load: async () => (await import('./commands/doctor.js')).doctorCommand },
  serve: { summary: 'HTTP API and map page on API_HOST:API_PORT (default 127.0.0.1:8080)', load: async () => (await import('./commands/serve.js')).serveCommand },
  apikey: { summary: 'apikey create --name N | list | revoke <id>: keys for the HTTP API', load: async () => (await import('./commands/apikey.js')).apikeyCommand },
  run: { summary: 'run <job.json> --out DIR: one mission locally, no services', load: async () => (await import('./commands/run.js')).runCommand },
  plan: { summary: 'plan <out dir> --unit name,kn,h,W_nm: re-plan a search from a local run', load: async () => (await import('./commands/plan.js')).planCommand },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    `driftline ${VERSION}: Leeway search-and-rescue drift missions on a fleet of workers`,
    '',
    'usage: driftline <command> [options]   (driftline <command> --help for its options)',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Configuration comes from the environment (DATABASE_URL, REDIS_URL, S3_*, QUEUE_NAME, ...).',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  exitQuietlyOnBrokenPipe();
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out(usage());
    return name === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (name === '--version' || name === '-v') {
    out(VERSION);
    return EXIT.OK;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    err(`driftline: unknown command "${name}"\n\n${usage()}`);
    return EXIT.USAGE;
  }
  try {
    return await (await command.load())(rest);
  } catch (e) {
    const { message, exitCode } = describeFailure(e);
    err(`driftline ${name}: ${message}`);
    return exitCode;
  }
}
