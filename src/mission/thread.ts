/**
 * A mission thread (piscina worker, src/mission/thread-pool.ts): the main-thread-heavy stages of a
 * mission that are not the simulation. 'land' rasterises the coastline around the mission (seconds for
 * a long run's window) into a SharedArrayBuffer; 'products' writes every product file, or, for a
 * large mission, all but particles.nc and leeway.txt, which 'record-files' writes on the other thread
 * at the same time. Stage changes go back over `port` so the caller can report progress.
 */
import type { MessagePort } from 'node:worker_threads';
import { asDriftlineError, type ErrorCode } from '../errors.js';
import { writeMissionProducts, type ProductsInput, type ProductsOutput } from './products.js';
import type { LandRaster } from '../land/types.js';
import type { CoastlineOptions } from '../land/coastline.js';
import type { ModelParams } from '../model/types.js';
import type { RecordFiles } from '../products/records.js';
import { writeMissionRecordFiles, type RecordFilesInput } from './record-files.js';
import { missionLand } from './land.js';

export type MissionThreadTask =
  | { kind: 'land'; model: ModelParams; land: LandRaster | null; coastline: CoastlineOptions }
  | { kind: 'products'; input: ProductsInput; port: MessagePort }
  | { kind: 'record-files'; input: RecordFilesInput };

/** A thrown error as plain data: structured clone keeps an Error's message but not its code or retryable. */
export interface ThreadError {
  error: { code: ErrorCode; message: string; retryable: boolean; field?: string };
}

export type MissionThreadResult =
  | { land: LandRaster | null }
  | { products: ProductsOutput }
  | { recordFiles: { records: RecordFiles; timingsMs: Record<string, number> } }
  | ThreadError;

export default async function runMissionThreadTask(task: MissionThreadTask): Promise<MissionThreadResult> {
  try {
    if (task.kind === 'land') return { land: await missionLand(task.model, task.land, task.coastline) };
    if (task.kind === 'record-files') return { recordFiles: await writeMissionRecordFiles(task.input) };
    return { products: await writeMissionProducts(task.input, (stage) => task.port.postMessage(stage)) };
  } catch (err) {
    const e = asDriftlineError(err);
    return { error: { code: e.code, message: e.message, retryable: e.retryable, ...(e.field !== undefined ? { field: e.field } : {}) } };
  } finally {
    if (task.kind === 'products') task.port.close();
  }
}
