/**
 * Runs a mission's land rasterisation and product writing on a thread, off the main thread that holds
 * the worker's heartbeat (HEARTBEAT_SECONDS 5, LEASE_SECONDS 30). bench/eventloop.bench.mjs, longest
 * main-thread block per mission, before -> after (shared, loaded 2-core machine: noisy):
 *   1 000 000 particles × 48 h: 14 957 ms -> 668 ms (before: 14.9 s just after the run, where the
 *     density grid is built; land raster 14.1 s, products 6.3 s, animation 4.0 s);
 *   100 000 × 48 h: 23 673 -> 525 ms; 1 particle × 9 001 output times: 22 918 -> 633 ms;
 *   1 000 × 4 321 output times: 14 487 -> 243 ms.
 * A 1-particle run with 1 080 001 output times blocked it for 31-43 s (issue 11; now refused by
 * src/mission/estimate.ts).
 *
 * The trajectory and the land raster live in SharedArrayBuffers: structured clone shares them, so
 * nothing large is copied either way. Threads stay up for a minute between missions (the coastline
 * polygons they load are cached per thread, ~1 s to load) and are unref'd, so they never keep a
 * process alive; closeMissionThreads() stops them at once.
 *
 * Which files: as src/threads/pool.ts (dist/mission/thread-*.js, or the .ts sources through tsx). The pool
 * has no default file: each task names its kind's entry (src/mission/thread.ts says why), which a thread
 * imports the first time it runs that kind.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type { Piscina } from 'piscina';
import { DriftlineError } from '../errors.js';
import type { CoastlineOptions } from '../land/coastline.js';
import type { LandRaster } from '../land/types.js';
import type { ProductsInput, ProductsOutput, ProductsStage } from './products.js';
import type { ModelParams } from '../model/types.js';
import type { RecordFiles } from '../products/records.js';
import { addStageTime } from '../products/timing.js';
import type { RecordFilesInput } from './record-files.js';
import type { MissionThreadResult, MissionThreadTask, ThreadError } from './thread.js';

const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The entry file of a task's kind, as a file URL. */
function entryFile(kind: MissionThreadTask['kind']): string {
  const base = kind === 'land' ? './thread-land' : kind === 'products' ? './thread-products' : './thread-records';
  return new URL(`${base}${FROM_SOURCE ? '.ts' : '.js'}`, import.meta.url).href;
}

/**
 * Product tasks at once: two missions (MAX_CONCURRENT_JOBS default 2), or one large mission's two halves
 * (writeProductsOnMissionThreads); more wait in piscina's queue.
 */
const MAX_THREADS = 2;
const IDLE_MS = 60_000;

let pool: Piscina<MissionThreadTask, MissionThreadResult> | null = null;

function missionPool(): Piscina<MissionThreadTask, MissionThreadResult> {
  if (pool === null) {
    // piscina's import (~17 ms) is paid by the first mission that needs a mission thread, not by every
    // process that loads the pipeline; its package main is CommonJS.
    const { Piscina: PiscinaClass } = createRequire(import.meta.url)('piscina') as typeof import('piscina');
    pool = new PiscinaClass<MissionThreadTask, MissionThreadResult>({
      execArgv: FROM_SOURCE ? ['--import', 'tsx'] : [],
      minThreads: 0,
      maxThreads: MAX_THREADS,
      idleTimeout: IDLE_MS,
    });
  }
  return pool;
}

/** `task` on a mission thread, through its kind's entry file. */
async function runTask(task: MissionThreadTask, transferList?: MessagePort[]): Promise<Exclude<MissionThreadResult, ThreadError>> {
  return unwrap(await missionPool().run(task, { filename: entryFile(task.kind), ...(transferList !== undefined ? { transferList } : {}) }));
}

function unwrap(r: MissionThreadResult): Exclude<MissionThreadResult, ThreadError> {
  if ('error' in r) {
    const { code, message, retryable, field } = r.error;
    throw new DriftlineError(code, message, { retryable, ...(field !== undefined ? { field } : {}) });
  }
  return r;
}

/** missionLand (src/mission/land.ts) on a mission thread. */
export async function missionLandOffThread(model: ModelParams, land: LandRaster | null, coastline: CoastlineOptions): Promise<LandRaster | null> {
  const r = await runTask({ kind: 'land', model, land, coastline });
  if (!('land' in r)) throw new DriftlineError('E_INTERNAL', 'mission thread: land task returned no land');
  return r.land;
}

/** writeMissionProducts (src/mission/products.ts) on a mission thread; `onStage` runs on this thread. */
export async function writeProductsOffThread(input: ProductsInput, onStage: (stage: ProductsStage) => void): Promise<ProductsOutput> {
  const { port1, port2 } = new MessageChannel();
  port1.on('message', (stage: ProductsStage) => onStage(stage));
  try {
    const r = await runTask({ kind: 'products', input, port: port2 }, [port2]);
    if (!('products' in r)) throw new DriftlineError('E_INTERNAL', 'mission thread: products task returned no products');
    return r.products;
  } finally {
    port1.close();
  }
}

/** writeMissionRecordFiles (src/mission/record-files.ts) on a mission thread: particles.nc, leeway.txt and their stage timings. */
export async function writeRecordFilesOffThread(input: RecordFilesInput): Promise<{ records: RecordFiles; timingsMs: Record<string, number> }> {
  const r = await runTask({ kind: 'record-files', input });
  if (!('recordFiles' in r)) throw new DriftlineError('E_INTERNAL', 'mission thread: record-files task returned no files');
  return r.recordFiles;
}

/**
 * Every product on mission threads. With `split` (src/mission/execution.ts chooses it from the
 * mission's size), one thread writes particles.nc and leeway.txt while the other writes the rest
 * (the density grid, search areas, pictures, density.nc, KMZ, plan, stranding); summary.json, which
 * lists them all with their checksums, is then written here once both are done. No task waits for
 * another, so two missions sharing the two threads cannot block each other.
 */
export async function writeProductsOnMissionThreads(input: ProductsInput, onStage: (stage: ProductsStage) => void, split: boolean): Promise<ProductsOutput> {
  if (!split) return writeProductsOffThread(input, onStage);
  // summary.json's writer (src/products/finish.ts, 25-32 ms to import) loads here while the threads work,
  // not after them.
  const finishing = import('../products/finish.js');
  finishing.catch(() => undefined); // awaited below unless a thread failed first
  const recordFilesInput: RecordFilesInput = { result: input.result, ctx: input.ctx, workDir: input.workDir, cellM: input.cellM, warnings: input.warnings };
  const [rest, recordFiles] = await settleBoth(writeProductsOffThread({ ...input, recordFilesApart: true }, onStage), writeRecordFilesOffThread(recordFilesInput));
  const draft = rest.draft;
  if (draft === undefined) throw new DriftlineError('E_INTERNAL', 'mission thread: products task returned no draft');
  // Stage `products` (the other thread's files after the pictures) is added after summary.json is
  // written, as on one thread, so that summary.json lists the same stages either way.
  const { products: productsMs, ...timingsMs } = rest.timingsMs;
  for (const [stage, ms] of Object.entries(recordFiles.timingsMs)) addStageTime(timingsMs, stage, ms);
  const { finishProducts } = await finishing;
  const files = await finishProducts(draft, recordFiles.records, input.workDir, rest.products, timingsMs);
  if (productsMs !== undefined) timingsMs.products = productsMs;
  return { products: [...files, ...rest.products], timingsMs, warnings: rest.warnings };
}

/** Both results; if either failed, the first error, thrown once both have settled (neither writes after this returns). */
async function settleBoth<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
}

/** Stops the mission threads (worker shutdown, tests). Idempotent. */
export async function closeMissionThreads(): Promise<void> {
  const old = pool;
  pool = null;
  await old?.destroy();
}
