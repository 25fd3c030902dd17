/**
 * `driftline run <job.json> --out DIR`: one mission on this machine with no Redis, PostgreSQL or S3:
 * the worker's own pipeline (runMission), files in DIR instead of S3, a progress bar on a terminal,
 * and a summary. S3 is touched only when the job's forcing names s3:// files.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../config.js';
import { forcingPolicyFromConfig } from '../../storage/policy.js';
import { jobLimits } from '../../job/schema.js';
import { parseJobText } from '../../job/validate.js';
import { resolveMission } from '../../job/resolve.js';
import { createLogger } from '../../logger.js';
import { specNeedsS3 } from '../../mission/local.js';
import { chooseExecution } from '../../mission/execution.js';
import { prestartThreads } from '../../mission/prestart.js';
import type { MissionProgress } from '../../mission/types.js';
import { loadMissionRunner } from '../../worker/runner.js';
import { numberFlag, onePositional, parse } from '../args.js';
import { EXIT, UsageError } from '../errors.js';
import { err, formatBytes, out, printJson, printTable } from '../output.js';

const USAGE = `usage: driftline run <job.json> --out DIR [--threads N] [--json]

Runs one mission locally: the same pipeline as a worker, with the products written to DIR
(raw/particles.nc, products/...) instead of S3. Needs no Redis, PostgreSQL or S3.

Forcing: local paths and file:// may point anywhere (your machine, your rights). s3:// and
http(s):// follow the worker's policy: FORCING_ALLOW (default s3://$FORCING_BUCKET/), public
addresses only unless FORCING_ALLOW_PRIVATE_NETWORKS=true, FORCING_MAX_MB and
FORCING_FETCH_TIMEOUT_SECONDS.

  --out DIR       where the products go (created)
  --threads N     simulation threads (default SIM_THREADS = the number of cores)
  --json          print the summary as JSON`;

export async function runCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parse(argv, { out: { type: 'string', short: 'o' }, threads: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
  if (v.help) {
    out(USAGE);
    return EXIT.OK;
  }
  const jobFile = onePositional(positionals, 'job file', USAGE);
  if (!v.out) throw new UsageError(`--out DIR is required\n\n${USAGE}`);
  const threads = numberFlag(v.threads as string | undefined, 'threads', { integer: true, min: 1, max: 256 });
  const config = loadConfig();
  const text = await readFile(jobFile, 'utf8').catch((e: Error) => {
    throw new UsageError(`${jobFile}: ${e.message}`);
  });
  const job = parseJobText(text, jobLimits(config));
  const spec = resolveMission(job, config);
  // The simulation threads start now, while this thread imports the pipeline and reads the forcing.
  prestartThreads(chooseExecution(spec.model, threads ?? config.SIM_THREADS));
  const workDir = path.resolve(v.out as string);
  // Logs go to stderr (stdout is the summary), quieter than a worker's unless LOG_LEVEL says otherwise.
  const logger = createLogger(process.env.LOG_LEVEL ? config.LOG_LEVEL : 'warn', 'driftline-run', 2);
  const runner = await loadMissionRunner();
  // The AWS SDK is imported only for a job that reads s3:// forcing (0.3–2 s of imports otherwise).
  const s3 = specNeedsS3(spec) ? (await import('../../storage/s3.js')).createS3Client(config) : null;

  // cli-progress (~6 ms of imports) only for a terminal.
  const cliProgress = process.stderr.isTTY ? (await import('cli-progress')).default : null;
  const bar = cliProgress
    ? new cliProgress.SingleBar(
        { format: ' {bar} {percentage}% | {stage} | {duration_formatted}', stream: process.stderr, hideCursor: true, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(100, 0, { stage: 'forcing' });
  let shownStage = 'forcing';
  const onProgress = (p: MissionProgress) => {
    bar?.update(Math.round(p.fraction * 100), { stage: p.stage });
    // The bar redraws on a timer, which cannot fire while a stage blocks the event loop (rasterising
    // the land does): draw a new stage's name at once, or the previous one stays on screen.
    if (p.stage !== shownStage) {
      shownStage = p.stage;
      bar?.render();
    }
  };

  const t0 = performance.now();
  try {
    // The user's own machine and rights: local forcing files anywhere; remote sources as for a worker.
    const forcingPolicy = forcingPolicyFromConfig(config, { localAnywhere: true });
    const outcome = await runner.run(spec, { config, logger, workDir, s3, onProgress, forcingPolicy, ...(threads ? { threads } : {}) });
    bar?.update(100, { stage: 'done' });
    bar?.stop();
    const seconds = (performance.now() - t0) / 1000;
    if (v.json) {
      printJson({ mission_id: job.mission_id, out: workDir, seconds, ...outcome });
      return EXIT.OK;
    }
    out(`mission ${job.mission_id}: ${outcome.products.length} products in ${workDir} (${seconds.toFixed(1)} s, ${outcome.particleSteps} particle steps)`);
    printTable(['FILE', 'SIZE', 'SHA256'], outcome.products.map((p) => [p.relPath, formatBytes(p.bytes), p.sha256.slice(0, 16)]));
    const stages = Object.entries(outcome.timingsMs).map(([k, ms]) => `${k} ${ms} ms`);
    if (stages.length > 0) out(`timings: ${stages.join(', ')}`);
    for (const w of outcome.warnings) err(`warning: ${w}`);
    return EXIT.OK;
  } finally {
    bar?.stop();
    s3?.destroy();
    await runner.close();
  }
}
