/**
 * GET /healthz (JSON; 200 while the worker serves, 503 while it drains or has lost Redis) and
 * GET /metrics (Prometheus text) on METRICS_HOST:METRICS_PORT; port 0 picks a free port (tests read it
 * from the "worker started" log line, `metrics_port`).
 *
 * A port already taken (a second `driftline worker &` on one machine, both on the default 9464) is not
 * a reason to die: the server moves to a free port the OS picks and says so in a warning; any other
 * failure to listen (METRICS_HOST not an address of this machine, a privileged port) runs the worker
 * without metrics, also with a warning. Either way the worker keeps taking missions: metrics are for
 * watching the fleet, not needed to run it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.js';

export interface Health {
  ok: boolean;
  [detail: string]: unknown;
}

export interface MetricsServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  host: string;
  /** The wanted port; 0 lets the OS pick. */
  port: number;
  logger: Logger;
}

function handler(registry: Registry, health: () => Health): Parameters<typeof createServer>[1] {
  return (req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
    } else if (url === '/healthz') {
      const h = health();
      res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(h));
    } else if (url === '/metrics') {
      registry
        .metrics()
        .then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text))
        .catch((err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(err.message));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /healthz or /metrics\n');
    }
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Serve /healthz and /metrics. Resolves to null (after logging why) when the server cannot listen at
 * all; a taken port falls back to a free one.
 */
export async function startMetricsServer(opts: MetricsServerOptions, registry: Registry, health: () => Health): Promise<MetricsServer | null> {
  const server: Server = createServer(handler(registry, health));
  const { host, logger } = opts;
  let port: number;
  try {
    port = await listen(server, host, opts.port);
  } catch (first) {
    const code = (first as NodeJS.ErrnoException).code;
    try {
      if (code !== 'EADDRINUSE') throw first;
      port = await listen(server, host, 0);
      logger.warn(
        { metrics_host: host, metrics_port: port, wanted_port: opts.port },
        `METRICS_PORT ${opts.port} is in use (another worker on this machine?); /healthz and /metrics are on http://${hostForUrl(host)}:${port} instead`,
      );
    } catch (err) {
      logger.warn(
        { metrics_host: host, wanted_port: opts.port, err: (err as Error).message },
        `metrics server not started (${(err as Error).message}): this worker runs without /healthz and /metrics; check METRICS_HOST and METRICS_PORT`,
      );
      return null;
    }
  }
  return {
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `::1` must be bracketed in a URL. */
function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
