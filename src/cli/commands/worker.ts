/** `driftline worker [--runner MODULE]`: serve the queue until SIGTERM/SIGINT (twice: at once). */
import { loadConfig } from '../../config.js';
import { createLogger } from '../../logger.js';
import { checkS3Credentials } from '../../storage/credentials.js';
import { createS3Client } from '../../storage/s3.js';
import { loadMissionRunner } from '../../worker/runner.js';
import { Worker } from '../../worker/worker.js';
import { parse } from '../args.js';
import { EXIT } from '../errors.js';
import { out } from '../output.js';

const USAGE = `usage: driftline worker [--runner MODULE]

Takes missions from QUEUE_NAME (MAX_CONCURRENT_JOBS at a time) until SIGTERM or SIGINT: the first
signal stops claiming and lets running missions finish within SHUTDOWN_GRACE_SECONDS, then hands the
rest back to the queue; a second signal hands them back at once. Serves /healthz and /metrics on
METRICS_HOST:METRICS_PORT (default 127.0.0.1:9464; a taken port moves to a free one, logged).
Refuses to start (exit 2) when no S3 credentials can be found.

  --runner MODULE   run missions with MODULE's exported runMission(spec, deps) instead of the
                    built-in pipeline (tests; custom pipelines)`;

/** After a clean stop, exit even if a library left a handle open (e.g. a simulation thread). */
const EXIT_FALLBACK_MS = 3000;

export async function workerCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { runner: { type: 'string' } }, USAGE);
  if (values.help) {
    out(USAGE);
    return EXIT.OK;
  }
  const config = loadConfig();
  // Without credentials every mission would simulate, then fail at upload and retry: refuse now
  // (E_CONFIG, exit 2). Only the credentials are checked: S3 being down is retried as usual.
  const s3 = createS3Client(config);
  const creds = await checkS3Credentials(s3, config).finally(() => s3.destroy());
  if (!creds.ok) throw creds.error;
  const logger = createLogger(config.LOG_LEVEL, 'driftline-worker');
  const runner = await loadMissionRunner(values.runner as string | undefined);
  if (values.runner === undefined) {
    // Open the coastline's tile file now (building it on a machine that has none: ~20 s once, in a
    // child process) rather than inside the first mission. It keeps only the table rows its missions
    // touch (2.9 kB per 1° of latitude) and at most 256 decoded coastal tiles (7.4 MB).
    const t0 = performance.now();
    const { coastlineSourceFromConfig } = await import('../../land/coastline.js');
    const { landTiles } = await import('../../land/tile-cache.js');
    await landTiles(coastlineSourceFromConfig(config), config.LAND_CACHE_DIR);
    logger.info({ coastline_tiles_ms: Math.round(performance.now() - t0) }, 'coastline tiles ready');
  }
  const worker = new Worker({ config, logger, runner });

  let signals = 0;
  let stopped!: Promise<void>;
  const stoppedSet = new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      logger.info({ signal, worker_id: worker.workerId }, signals === 1 ? 'signal: draining' : 'second signal: handing missions back now');
      stopped = worker.stop(signals === 1 ? 'drain' : 'now');
      resolve();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });

  try {
    await worker.start();
  } catch (err) {
    await worker.stop('now');
    throw err;
  }
  await stoppedSet;
  await stopped;
  // A second signal may arrive while draining; worker.stop('now') escalates the same shutdown.
  setTimeout(() => process.exit(process.exitCode ?? EXIT.OK), EXIT_FALLBACK_MS).unref();
  return EXIT.OK;
}
