/** Stage timings (`timings_ms` in summary.json and the mission outcome), recorded the same way everywhere. */
import { performance } from 'node:perf_hooks';

export type StageTimer = <T>(stage: string, fn: () => Promise<T> | T) => Promise<T>;

/** A function that runs a stage and records its wall time in `timingsMs[stage]` (whole ms), also when it throws. */
export function stageTimer(timingsMs: Record<string, number>): StageTimer {
  return async (stage, fn) => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timingsMs[stage] = Math.round(performance.now() - t0);
    }
  };
}

/** Adds `ms` to stage `stage` (whole ms): for a stage done in parts, e.g. on two threads. */
export function addStageTime(timingsMs: Record<string, number>, stage: string, ms: number): void {
  timingsMs[stage] = Math.round((timingsMs[stage] ?? 0) + ms);
}
