/**
 * Where a worker's /healthz and /metrics listen (METRICS_HOST, METRICS_PORT), with real worker
 * processes on real Redis, PostgreSQL and s3rver: two workers on one machine with the same port both
 * start (the second on a free port, saying so), the host is honoured, and a host the machine does not
 * have runs the worker without metrics instead of killing it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../helpers/fleet.js';
import { freePort } from '../helpers/ports.js';
import { TEST_RUNNER } from '../helpers/processes.js';

let fleet: Fleet;

beforeAll(async () => {
  fleet = await startFleet('metrics');
});

afterAll(async () => {
  await fleet?.close();
});

afterEach(async () => {
  await Promise.all(fleet.workers.map((w) => w.destroy()));
});

async function healthz(host: string, port: number): Promise<number> {
  const r = await fetch(`http://${host}:${port}/healthz`);
  await r.body?.cancel();
  return r.status;
}

describe('metrics server', () => {
  it('a second worker on a taken METRICS_PORT starts on a free port and logs which', async () => {
    const port = await freePort();
    const a = fleet.spawn('metrics-a', { METRICS_PORT: String(port) }, TEST_RUNNER);
    expect(await a.started()).toBe(port);
    const b = fleet.spawn('metrics-b', { METRICS_PORT: String(port) }, TEST_RUNNER);
    const bPort = await b.started();
    expect(bPort).not.toBe(port);
    const warning = await b.waitForLog((l) => l.wanted_port === port);
    expect(warning).toMatchObject({ level: 40, metrics_port: bPort });
    expect(warning.msg).toBe(`METRICS_PORT ${port} is in use (another worker on this machine?); /healthz and /metrics are on http://127.0.0.1:${bPort} instead`);
    expect(await healthz('127.0.0.1', port)).toBe(200);
    expect(await healthz('127.0.0.1', bPort)).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${bPort}/metrics`)).text();
    expect(metrics).toMatch(/worker_id="metrics-b"/);
  });

  it('listens on METRICS_HOST only', async () => {
    // 127.0.0.2 is loopback on Linux (all of 127/8) but a different address from 127.0.0.1.
    const w = fleet.spawn('metrics-host', { METRICS_HOST: '127.0.0.2' }, TEST_RUNNER);
    const port = await w.started();
    expect(await healthz('127.0.0.2', port)).toBe(200);
    await expect(healthz('127.0.0.1', port)).rejects.toThrow(/fetch failed/);
  });

  it('runs without metrics, saying so, when METRICS_HOST is not an address of this machine', async () => {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never assigned to a real interface, so listen() fails.
    const w = fleet.spawn('metrics-none', { METRICS_HOST: '192.0.2.1' }, TEST_RUNNER);
    expect(await w.started()).toBeNull();
    const warning = await w.waitForLog((l) => /^metrics server not started/.test(l.msg));
    expect(warning.msg).toMatch(/EADDRNOTAVAIL.*runs without \/healthz and \/metrics; check METRICS_HOST and METRICS_PORT/);
    expect(w.child.exitCode).toBeNull();
  });

  it('refuses a METRICS_HOST that is not an IP address, naming it', async () => {
    const r = await fleet.cli(['worker'], { METRICS_HOST: 'metrics.example.com' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/E_CONFIG: invalid environment: METRICS_HOST: expected an IP address/);
  });
});
