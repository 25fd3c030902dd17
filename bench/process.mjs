// What the whole-process benchmarks share (mission, ratios, opendrift-side-by-side): a `node` process timed from spawn to exit
// with its peak RSS, the naive kernel the issue-9 ratios are taken against, and a median (range) format.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { root } from './dist.mjs';

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/**
 * Runs `cmd ...args` in the repository root (environment `env`, default this process's), under
 * /usr/bin/time when present: { wallMs, rssMb, stdout }. Throws when it fails, with its stderr's end.
 */
export function timedProcess(cmd, args, env = process.env) {
  const [file, argv] = TIME ? [TIME, ['-f', 'MAXRSS %M', cmd, ...args]] : [cmd, args];
  const t0 = performance.now();
  const r = spawnSync(file, argv, { cwd: root, env, encoding: 'utf8', maxBuffer: 1 << 26 });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${(r.stderr ?? '').slice(-800)}`);
  const m = /MAXRSS (\d+)/.exec(r.stderr ?? '');
  return { wallMs, rssMb: m ? Number(m[1]) / 1024 : NaN, stdout: r.stdout };
}

/** timedProcess of `node ...args` (this node). */
export const timedNode = (args) => timedProcess(process.execPath, args);

/**
 * The naive kernel (issue 9's yardstick), as a `node -e` program: one thread, Float64Array positions,
 * per particle and step a move by 3 % of the wind plus the current (metres -> degrees) and a uniform
 * jitter from an xorshift generator; no forcing interpolation, no land, no output. What any Node program
 * of this size pays at least.
 */
export function naiveKernel({ particles, steps, dtS, lonDeg = 4.6, latDeg = 59.3 }) {
  return `
  const n = ${particles}, steps = ${steps}, dt = ${dtS};
  const lon = new Float64Array(n).fill(${lonDeg}), lat = new Float64Array(n).fill(${latDeg});
  let x = 2463534242;
  const rnd = () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) / 4294967296; };
  for (let k = 0; k < steps; k++) for (let p = 0; p < n; p++) {
    const u = 0.03 * 8 + 0.15 + (rnd() - 0.5) * 0.2, v = 0.03 * 3 + 0.05 + (rnd() - 0.5) * 0.2;
    lat[p] += (v * dt) / 111320; lon[p] += (u * dt) / (111320 * Math.cos(lat[p] * Math.PI / 180));
  }
  if (!Number.isFinite(lon[0] + lat[0])) process.exitCode = 1;`;
}

/**
 * A `driftline run` job of the issue-9 ratio benches: PIW-1 from a 500 m circle, constant wind (8, 3) m/s
 * and current (0.15, 0.05) m/s, output every hour, every product but the animation. Default position: the
 * open ocean at 20° N 130° W (no coastline to read).
 */
export function constantForcingJob(id, { particles, hours, dtS, latDeg = 20, lonDeg = -130 }) {
  return {
    mission_id: id,
    params: {
      latitude: latDeg, longitude: lonDeg, start_time: '2024-01-01T12:00:00Z', duration_hours: hours, num_particles: particles,
      object_type: 'PIW-1', radius_m: 500, time_step_seconds: dtS, output_step_seconds: 3600,
      forcing: { wind: { constant: [8, 3] }, current: { constant: [0.15, 0.05] } }, products: { animation: false },
    },
  };
}

/** "median (min–max)" of xs with d decimals. */
export function fmt(xs, d = 0) {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[s.length >> 1].toFixed(d)} (${s[0].toFixed(d)}–${s[s.length - 1].toFixed(d)})`;
}
