/**
 * Mission threads (piscina workers, src/mission/thread-pool.ts): the main-thread-heavy stages of a
 * mission that are not the simulation. 'land' rasterises the coastline around the mission (seconds for
 * a long run's window) into a SharedArrayBuffer; 'products' writes every product file, or, for a
 * large mission, all but particles.nc and leeway.txt, which 'record-files' writes on the other thread
 * at the same time. Stage changes go back over `port` so the caller can report progress.
 *
 * Each kind has its own entry file (thread-land.ts, thread-products.ts, thread-records.ts), which a
 * thread imports when it first runs a task of that kind. One entry for all three made every thread
 * load every writer: the record-files thread of a split mission imported canvas, fflate,
 * geographiclib and the drawing and KMZ code it never runs (295-455 ms against 90-140 ms for the record
 * files alone, fresh worker threads on the shared 2-core machine, 4 alternating runs). This file holds what they share and
 * imports nothing heavy.
 */
import type { MessagePort } from 'node:worker_threads';
import { asDriftlineError, type ErrorCode } from '../errors.js';
import type { ProductsInput, ProductsOutput } from './products.js';
import type { LandRaster } from '../land/types.js';
import type { CoastlineOptions } from '../land/coastline.js';
import type { ModelParams } from '../model/types.js';
import type { RecordFiles } from '../products/records.js';
import type { RecordFilesInput } from './record-files.js';

export interface LandTask {
  kind: 'land';
  model: ModelParams;
  land: LandRaster | null;
  coastline: CoastlineOptions;
}
export interface ProductsTask {
  kind: 'products';
  input: ProductsInput;
  port: MessagePort;
}
export interface RecordFilesTask {
  kind: 'record-files';
  input: RecordFilesInput;
}
export type MissionThreadTask = LandTask | ProductsTask | RecordFilesTask;

/** A thrown error as plain data: structured clone keeps an Error's message but not its code or retryable. */
export interface ThreadError {
  error: { code: ErrorCode; message: string; retryable: boolean; field?: string };
}

export type MissionThreadResult =
  | { land: LandRaster | null }
  | { products: ProductsOutput }
  | { recordFiles: { records: RecordFiles; timingsMs: Record<string, number> } }
  | ThreadError;

/** `err` as a ThreadError, for an entry file to return instead of throwing. */
export function threadError(err: unknown): ThreadError {
  const e = asDriftlineError(err);
  return { error: { code: e.code, message: e.message, retryable: e.retryable, ...(e.field !== undefined ? { field: e.field } : {}) } };
}
