/**
 * The job handler's decisions against fake ports (it knows no Redis, SQL or S3, so fakes are enough
 * here; the integration tests run the same code against the real services).
 */
import { describe, expect, it } from 'vitest';
import { DriftlineError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import type { MissionOutcome } from '../../src/mission/types.js';
import type { DeadLetter } from '../../src/queue/queue.js';
import { handleJob, type HandleOptions, type JobPorts } from '../../src/worker/handle-job.js';
import { at } from '../helpers/indexed.js';

const JOB = JSON.stringify({ mission_id: 'm1', params: { latitude: 60, longitude: 3, start_time: '2024-01-01T00:00:00Z', duration_hours: 1 } });

const OUTCOME: MissionOutcome = {
  products: [{ kind: 'trajectory', relPath: 'raw/particles.nc', path: '/tmp/x', contentType: 'application/x-netcdf', bytes: 1, sha256: 'a'.repeat(64) }],
  warnings: [],
  forcing: {
    wind: { kind: 'constant', description: 'constant [5, 0]', fallback: false },
    current: { kind: 'constant', description: 'constant [0, 0]', fallback: false },
  },
  timingsMs: {},
  particleSteps: 6,
};

interface Calls {
  claims: number;
  runs: number;
  uploads: number;
  completes: number;
  discards: string[];
  cancels: number;
  fails: Array<{ code: string; message: string; attempts: number }>;
  acks: number;
  dead: DeadLetter[];
  rejects: string[];
}

function fakePorts(overrides: Partial<JobPorts> = {}, claimAttempts?: number): { ports: JobPorts; calls: Calls } {
  const calls: Calls = { claims: 0, runs: 0, uploads: 0, completes: 0, discards: [], cancels: 0, fails: [], acks: 0, dead: [], rejects: [] };
  const ports: JobPorts = {
    claim: async () => {
      const attempts = claimAttempts ?? ++calls.claims;
      return { attempts, token: `${attempts}:w:n`, attemptKey: `a${attempts}-n` };
    },
    progress: async () => 'held',
    run: async () => {
      calls.runs++;
      return OUTCOME;
    },
    upload: async () => {
      calls.uploads++;
      return [{ kind: 'trajectory', uri: 's3://b/m1/raw/particles.nc', bytes: 1, contentType: 'application/x-netcdf', sha256: 'a'.repeat(64) }];
    },
    complete: async () => {
      calls.completes++;
      return true;
    },
    discard: async (_id, attemptKey) => {
      calls.discards.push(attemptKey);
    },
    publish: async () => undefined,
    fail: async (_id, r) => {
      calls.fails.push({ code: r.code, message: r.message, attempts: r.attempts });
      return true;
    },
    cancelled: async () => {
      calls.cancels++;
      return true;
    },
    noteRetry: async () => undefined,
    reject: async (r) => {
      calls.rejects.push(r.message);
    },
    ack: async () => {
      calls.acks++;
      return 'done';
    },
    deadLetter: async (l) => {
      calls.dead.push(l);
      return 'done';
    },
    ...overrides,
  };
  return { ports, calls };
}

const opts = (raw = JOB, signal = new AbortController().signal, extra: Partial<HandleOptions> = {}): HandleOptions => ({
  raw,
  workerId: 'w',
  maxAttempts: 3,
  retryBaseMs: 1,
  retryMaxMs: 5,
  storageRetryMs: 0,
  progressIntervalMs: 1000,
  limits: { maxParticles: 1000, maxDurationHours: 100 },
  logger: silentLogger,
  signal,
  ...extra,
});

describe('handleJob', () => {
  it('completes: run, upload, record, then ack', async () => {
    const { ports, calls } = fakePorts();
    const r = await handleJob(ports, opts());
    expect(r).toMatchObject({ result: 'completed', missionId: 'm1' });
    expect(calls).toMatchObject({ claims: 1, runs: 1, uploads: 1, completes: 1, acks: 1, dead: [] });
  });

  it('retries a failed upload without re-running the simulation, then fails for good after MAX_ATTEMPTS', async () => {
    const { ports, calls } = fakePorts({
      upload: async () => {
        throw new DriftlineError('E_STORAGE', 's3 upload: connect ECONNREFUSED');
      },
    });
    const r = await handleJob(ports, opts());
    expect(r).toEqual({ result: 'failed', missionId: 'm1', code: 'E_STORAGE' });
    expect(calls.claims).toBe(3);
    expect(calls.runs).toBe(1);
    expect(calls.fails).toEqual([{ code: 'E_STORAGE', message: 'E_STORAGE: s3 upload: connect ECONNREFUSED', attempts: 3 }]);
    expect(calls.dead).toHaveLength(1);
    expect(calls.dead[0]).toMatchObject({ mission_id: 'm1', raw: JOB, attempts: 3, error: { code: 'E_STORAGE' } });
    expect(calls.acks).toBe(0);
  });

  it('fails a permanent error at once', async () => {
    const { ports, calls } = fakePorts({
      run: async () => {
        throw new DriftlineError('E_FORCING_COVERAGE', 'forcing wind: file ends at 2024-01-01T06:00Z, mission runs to 12:00Z');
      },
    });
    const r = await handleJob(ports, opts());
    expect(r).toMatchObject({ result: 'failed', code: 'E_FORCING_COVERAGE' });
    expect(calls.claims).toBe(1);
  });

  it('waits out a database outage while recording completion, without spending attempts', async () => {
    let down = 4;
    const { ports, calls } = fakePorts({
      complete: async () => {
        if (down-- > 0) throw new DriftlineError('E_DATABASE', 'complete mission: connect ECONNREFUSED');
        return true;
      },
    });
    const r = await handleJob(ports, opts());
    expect(r.result).toBe('completed');
    expect(calls).toMatchObject({ claims: 1, runs: 1, uploads: 1, acks: 1 });
  });

  it('drops a duplicate of a completed mission with an ack', async () => {
    const { ports, calls } = fakePorts({ claim: async () => 'already-completed' });
    expect((await handleJob(ports, opts())).result).toBe('duplicate');
    expect(calls).toMatchObject({ runs: 0, acks: 1 });
  });

  it('gives up on a job whose earlier attempts all died with their workers', async () => {
    const { ports, calls } = fakePorts({}, 4);
    const r = await handleJob(ports, opts());
    expect(r).toMatchObject({ result: 'failed', code: 'E_INTERNAL' });
    expect(calls.runs).toBe(0);
    expect(at(calls.fails, 0).message).toMatch(/gave up after 3 attempts/);
  });

  it('dead-letters unparseable JSON and a missing mission_id without touching the database', async () => {
    for (const raw of ['{nope', JSON.stringify({ params: {} })]) {
      const { ports, calls } = fakePorts();
      const r = await handleJob(ports, opts(raw));
      expect(r).toMatchObject({ result: 'failed', missionId: null });
      expect(calls.claims + calls.fails.length).toBe(0);
      expect(at(calls.dead, 0).raw).toBe(raw);
      expect(calls.rejects).toHaveLength(1);
    }
  });

  it('returns interrupted, touching nothing more, when the hard stop aborts a running mission', async () => {
    const stop = new AbortController();
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const { ports, calls } = fakePorts({
      run: async (_job, ctx) => {
        started();
        return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
      },
    });
    const pending = handleJob(ports, opts(JOB, stop.signal));
    await running; // the mission is running: the stop lands mid-run
    stop.abort();
    expect(await pending).toEqual({ result: 'interrupted', missionId: 'm1' });
    expect(calls).toMatchObject({ uploads: 0, completes: 0, acks: 0, dead: [], fails: [] });
  });

  it('waits out a storage outage within STORAGE_RETRY_SECONDS without spending an attempt or re-running', async () => {
    let down = 3;
    const { ports, calls } = fakePorts({
      upload: async () => {
        calls.uploads++;
        if (down-- > 0) throw new DriftlineError('E_STORAGE', 's3 upload: connect ECONNREFUSED');
        return [];
      },
    });
    const r = await handleJob(ports, opts(JOB, undefined, { storageRetryMs: 60_000 }));
    expect(r.result).toBe('completed');
    expect(calls).toMatchObject({ claims: 1, runs: 1, uploads: 4, completes: 1, acks: 1 });
  });

  it('steps aside when completion is fenced: nothing published, its own objects deleted, no dead letter', async () => {
    const { ports, calls } = fakePorts({ complete: async () => false });
    const r = await handleJob(ports, opts());
    expect(r).toMatchObject({ result: 'superseded', missionId: 'm1' });
    expect(calls).toMatchObject({ claims: 1, discards: ['a1-n'], dead: [], fails: [] });
  });

  it('drops a job whose mission another worker runs now', async () => {
    const { ports, calls } = fakePorts({ claim: async () => ({ busyWith: 'w9' }) });
    expect(await handleJob(ports, opts())).toMatchObject({ result: 'superseded', why: 'running elsewhere' });
    expect(calls).toMatchObject({ runs: 0, acks: 1, fails: [] });
  });

  it('stops a running mission when the progress answer says cancel, and records it as cancelled', async () => {
    const { ports, calls } = fakePorts({
      progress: async () => 'cancel',
      run: async (_job, ctx) =>
        new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('simulation interrupted')), { once: true })),
    });
    const r = await handleJob(ports, opts(JOB, undefined, { progressIntervalMs: 5 }));
    expect(r).toEqual({ result: 'cancelled', missionId: 'm1' });
    expect(calls).toMatchObject({ cancels: 1, acks: 1, uploads: 0, completes: 0, fails: [], dead: [] });
  });

  it('stops without writing when the worker loses its lease mid-mission', async () => {
    const lost = new AbortController();
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const { ports, calls } = fakePorts({
      run: async (_job, ctx) => {
        started();
        return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('simulation interrupted')), { once: true }));
      },
    });
    const pending = handleJob(ports, opts(JOB, undefined, { superseded: lost.signal }));
    await running; // the lease goes mid-run
    lost.abort();
    expect(await pending).toMatchObject({ result: 'superseded', missionId: 'm1' });
    expect(calls).toMatchObject({ uploads: 0, completes: 0, fails: [], dead: [], discards: ['a1-n'] });
  });

  it('waits for admission before claiming, and releases the memory when the mission ends', async () => {
    let admitted!: () => void;
    let asked!: () => void;
    let released = 0;
    const gate = new Promise<void>((r) => (admitted = r));
    const waiting = new Promise<void>((r) => (asked = r));
    const { ports, calls } = fakePorts();
    const pending = handleJob(ports, opts(JOB, undefined, { admit: async () => (asked(), await gate, () => void released++) }));
    await waiting; // it asked for memory and waits for the answer
    // Let everything that is not waiting on the gate run (a claim would take a few turns of I/O-free promises).
    await new Promise((r) => setImmediate(r));
    expect(calls).toMatchObject({ claims: 0, runs: 0 }); // held back: nothing started, the row untouched
    admitted();
    expect((await pending).result).toBe('completed');
    expect(released).toBe(1);
  });

  it('gives the job up without writing when the lease goes while it waits for memory', async () => {
    const lost = new AbortController();
    const { ports, calls } = fakePorts();
    const pending = handleJob(ports, opts(JOB, undefined, {
      superseded: lost.signal,
      admit: (_job, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true })),
    }));
    lost.abort();
    expect(await pending).toMatchObject({ result: 'superseded' });
    expect(calls).toMatchObject({ claims: 0, fails: [], dead: [], acks: 0 });
  });
});
