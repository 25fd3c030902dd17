/**
 * Real child processes of the built CLI (`node dist/cli/main.js ...`; `npm test` builds first), with
 * an environment made only of what the test gives (plus PATH/HOME), so nothing leaks in from the
 * developer's shell.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
export const TEST_RUNNER = fileURLToPath(new URL('./mission-runner.mjs', import.meta.url));

export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first (npm test does)`);
}

function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string>, opts: { timeoutMs?: number; cwd?: string } = {}): Promise<CliResult> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: childEnv(env), cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`driftline ${args.join(' ')}: no exit within ${opts.timeoutMs ?? 30_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface LogLine {
  level: number;
  msg: string;
  mission_id?: string;
  worker_id?: string;
  [k: string]: unknown;
}

export class WorkerProcess {
  readonly child: ChildProcess;
  readonly logs: LogLine[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr = '';
  private waiters: Array<() => void> = [];

  constructor(
    readonly id: string,
    env: Record<string, string>,
    runner?: string,
    /** Another long-running command instead of `worker`, e.g. ['serve'] (test/helpers/api.ts). */
    command?: string[],
  ) {
    assertBuilt();
    const args = [CLI, ...(command ?? ['worker', ...(runner ? ['--runner', runner] : [])])];
    this.child = spawn(process.execPath, args, { env: childEnv({ ...env, WORKER_ID: id }), stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    this.child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          this.logs.push(JSON.parse(line) as LogLine);
        } catch {
          this.logs.push({ level: 0, msg: line });
        }
        for (const w of this.waiters) w();
      }
    });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  /** The first log line (past or future) matching `pred`. */
  waitForLog(pred: (l: LogLine) => boolean, timeoutMs = 20_000): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.logs.find(pred);
        if (hit) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== check);
          resolve(hit);
        }
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`worker ${this.id}: no matching log line within ${timeoutMs} ms; last lines:\n${this.tail()}`));
      }, timeoutMs);
      this.waiters.push(check);
      check();
    });
  }

  async started(timeoutMs = 20_000): Promise<number> {
    const line = await this.waitForLog((l) => l.msg === 'worker started', timeoutMs);
    return line.metrics_port as number;
  }

  tail(n = 15): string {
    return [...this.logs.slice(-n).map((l) => JSON.stringify(l)), this.stderr.slice(-2000)].join('\n');
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  /** SIGKILL if still running (cleanup). */
  async destroy(): Promise<void> {
    this.kill('SIGKILL');
    await this.exited;
  }
}

/** Poll until a condition holds, with a deadline (test/helpers/wait.ts; re-exported for the tests that import it from here). */
export { waitFor } from './wait.js';
