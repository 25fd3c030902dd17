// What issue 9's ratio targets leave room for (`npm run bench -- floors`, builds dist/ first): the parts
// of a mission that no product work can remove, each timed on its own, against the targets' budgets.
//  - Node's start (`node -e ''`), and a process that gets as far as `driftline run` does before its
//    pipeline: configuration loaded, the job parsed by the zod schema and resolved (src/job/*), then exit.
//  - The faithful simulation stage (timings_ms.simulation of `driftline run --json`): OpenDrift's
//    Leeway bit for bit, which the issue requires to stay so.
//  - The naive kernel of the same stepping (bench/process.mjs), the yardstick.
// 1 000 × 24 h (dt 600 s, open ocean, constant forcing) against the 2.5× budget, and 100 000 × 48 h
// (dt 900 s) against the 1.5× budget: the bench prints whether the floor alone already passes the budget.
// Cases alternate, RUNS runs each; read the ranges.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dist, requireDist } from './dist.mjs';
import { constantForcingJob, fmt, naiveKernel, timedNode } from './process.mjs';

requireDist('cli/main.js');
const RUNS = 5;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'driftline-bench-floors-'));

const cases = [
  { name: '1 000 × 24 h', particles: 1000, hours: 24, dtS: 600, budget: 2.5 },
  { name: '100 000 × 48 h', particles: 100_000, hours: 48, dtS: 900, budget: 1.5, runs: 3 },
];
for (const c of cases) {
  c.file = path.join(tmp, `${c.particles}.json`);
  writeFileSync(c.file, JSON.stringify(constantForcingJob(`bench-floors-${c.particles}`, c)));
  c.naive = naiveKernel({ particles: c.particles, steps: (c.hours * 3600) / c.dtS, dtS: c.dtS, lonDeg: -130, latDeg: 20 });
  c.walls = { naive: [], run: [], simulation: [] };
}

// Up to a resolved job, as src/cli/commands/run.ts does before it loads the pipeline.
const parsed = (file) => `
  const { readFileSync } = await import('node:fs');
  const { loadConfig } = await import(${JSON.stringify(dist('config.js'))});
  const { jobLimits } = await import(${JSON.stringify(dist('job/schema.js'))});
  const { parseJobText } = await import(${JSON.stringify(dist('job/validate.js'))});
  const { resolveMission } = await import(${JSON.stringify(dist('job/resolve.js'))});
  const config = loadConfig();
  const spec = resolveMission(parseJobText(readFileSync(${JSON.stringify(file)}, 'utf8'), jobLimits(config)), config);
  if (spec.model.numParticles < 1) process.exitCode = 1;`;

const start = { node: [], parsed: [] };
for (let run = 0; run < RUNS; run++) {
  start.node.push(timedNode(['-e', '']).wallMs);
  start.parsed.push(timedNode(['--input-type=module', '-e', parsed(cases[0].file)]).wallMs);
  for (const c of cases) {
    if (run >= (c.runs ?? RUNS)) continue;
    c.walls.naive.push(timedNode(['-e', c.naive]).wallMs);
    const out = path.join(tmp, `out-${c.particles}-${run}`);
    const r = timedNode(['dist/cli/main.js', 'run', c.file, '--out', out, '--json']);
    rmSync(out, { recursive: true, force: true });
    c.walls.run.push(r.wallMs);
    c.walls.simulation.push(JSON.parse(r.stdout).timingsMs.simulation);
  }
}
rmSync(tmp, { recursive: true, force: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`node start (node -e ''): ${fmt(start.node)} ms; start to a parsed and resolved job (config, zod job schema): ${fmt(start.parsed)} ms`);
for (const c of cases) {
  const budget = c.budget * median(c.walls.naive);
  const floor = (c.particles === 1000 ? median(start.parsed) : 0) + median(c.walls.simulation);
  console.log(
    `${c.name}: naive kernel ${fmt(c.walls.naive)} ms, so ${c.budget}× is ${budget.toFixed(0)} ms; ` +
      `faithful simulation stage ${fmt(c.walls.simulation)} ms; whole run (every product but the animation) ${fmt(c.walls.run)} ms`,
  );
  console.log(
    `  floor ${c.particles === 1000 ? '(start to a parsed job + simulation stage)' : '(simulation stage alone)'}: ${floor.toFixed(0)} ms, ` +
      `${(floor / median(c.walls.naive)).toFixed(1)}× the naive kernel: ${floor <= budget ? 'within' : 'over'} the ${c.budget}× budget before any product is written`,
  );
}
