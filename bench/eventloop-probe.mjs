// Preloaded with `node --import ./bench/eventloop-probe.mjs dist/cli/main.js run ...` by
// bench/eventloop.bench.mjs: records how long the main thread's event loop was blocked while the
// process runs, and writes the figures as one JSON line to the file named by EVENTLOOP_PROBE_OUT at exit.
//
// Two measures: monitorEventLoopDelay's histogram (resolution 10 ms) and the largest gap between two
// ticks of a 50 ms interval timer, minus 50 ms (what a heartbeat timer would have seen).
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

const TICK_MS = 50;
const h = monitorEventLoopDelay({ resolution: 10 });
h.enable();
let last = performance.now();
let maxGapMs = 0;
let maxGapAtMs = 0;
const t0 = last;
const timer = setInterval(() => {
  const now = performance.now();
  const gap = now - last - TICK_MS;
  if (gap > maxGapMs) {
    maxGapMs = gap;
    maxGapAtMs = now - t0;
  }
  last = now;
}, TICK_MS);
timer.unref();

process.on('exit', () => {
  h.disable();
  const out = process.env.EVENTLOOP_PROBE_OUT;
  const figures = {
    max_block_ms: Math.round(Math.max(h.max / 1e6, maxGapMs)),
    max_timer_gap_ms: Math.round(maxGapMs),
    max_timer_gap_at_s: Math.round(maxGapAtMs / 100) / 10,
    p99_delay_ms: Math.round(h.percentile(99) / 1e6),
    wall_s: Math.round((performance.now() - t0) / 100) / 10,
  };
  if (out) writeFileSync(out, `${JSON.stringify(figures)}\n`);
});
