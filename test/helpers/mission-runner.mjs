// A small real mission runner for queue-semantics tests, injected with `driftline worker --runner`.
// It honours the runMission(spec, deps) contract (spec: src/mission/spec.ts, deps: src/mission/types.ts): writes two product files
// into deps.workDir (so uploads, sha256 and mission_results are real), reports progress, stops on
// deps.signal. Env:
//   TEST_RUNNER_MS   how long a mission takes (default 1500 ms), in 100 ms steps
//   TEST_RUNNER_LOG  a file; one line "start|end <mission_id> <pid>" per run, to count runs
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';

const STEP_MS = 100;

function note(what, missionId) {
  if (process.env.TEST_RUNNER_LOG) appendFileSync(process.env.TEST_RUNNER_LOG, `${what} ${missionId} ${process.pid}\n`);
}

async function product(workDir, kind, relPath, contentType, bytes) {
  const filePath = path.join(workDir, relPath);
  await mkdir(path.dirname(filePath), { recursive: true });
  await writeFile(filePath, bytes);
  return { kind, relPath, path: filePath, contentType, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

export async function runMission(spec, deps) {
  const totalMs = Number(process.env.TEST_RUNNER_MS ?? 1500);
  note('start', spec.missionId);
  for (let t = 0; t < totalMs; t += STEP_MS) {
    if (deps.signal?.aborted) throw new Error('mission aborted');
    deps.onProgress?.({ stage: 'simulation', fraction: t / totalMs });
    await sleep(STEP_MS);
  }
  // Deterministic content: a re-run writes the same bytes, so a duplicate run is detectable only by the log.
  const trajectory = Buffer.from(`trajectory of ${spec.missionId}\n`.repeat(2000));
  const summary = Buffer.from(JSON.stringify({ mission_id: spec.missionId, params: spec.provenance }, null, 2));
  const products = [
    await product(deps.workDir, 'trajectory', 'raw/particles.nc', 'application/x-netcdf', trajectory),
    await product(deps.workDir, 'summary', 'products/summary.json', 'application/json', summary),
  ];
  note('end', spec.missionId);
  const forcing = { wind: { kind: 'constant', description: 'test runner', fallback: false }, current: { kind: 'constant', description: 'test runner', fallback: false } };
  return { products, warnings: [], forcing, timingsMs: { simulation: totalMs }, particleSteps: spec.model.numParticles };
}
