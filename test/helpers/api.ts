/**
 * `driftline serve` as a real child process beside a test fleet (test/helpers/fleet.ts): same Redis
 * queue, schema and s3rver bucket, a free port (API_PORT=0, read from the "api listening" log line)
 * and an API key made with the real CLI. Every response body the helper sees is kept, so a test can
 * check that no secret ever appeared in one.
 */
import type { Fleet } from './fleet.js';
import { WorkerProcess } from './processes.js';

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface TestApi {
  proc: WorkerProcess;
  url: string;
  key: string;
  /** Every response body seen by request(), for secret checks. */
  bodies: string[];
  request(method: string, path: string, opts?: { body?: unknown; rawBody?: string; key?: string | null; headers?: Record<string, string> }): Promise<ApiResponse>;
  createKey(name: string): Promise<{ id: string; key: string }>;
  close(): Promise<void>;
}

export async function startApi(fleet: Fleet, extraEnv: Record<string, string> = {}): Promise<TestApi> {
  const proc = new WorkerProcess('api', { ...fleet.env, API_PORT: '0', API_EVENTS_POLL_MS: '200', ...extraEnv }, undefined, ['serve']);
  const line = await proc.waitForLog((l) => l.msg === 'api listening', 30_000);
  const url = line.url as string;
  const bodies: string[] = [];
  const createKey = async (name: string) => {
    const r = await fleet.cli(['apikey', 'create', '--name', name, '--json']);
    if (r.code !== 0) throw new Error(`apikey create failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as { id: string; key: string };
  };
  const first = extraEnv.API_AUTH === 'off' ? { id: '', key: '' } : await createKey('test');
  return {
    proc,
    url,
    key: first.key,
    bodies,
    createKey,
    async request(method, path, opts = {}) {
      const key = opts.key === undefined ? first.key : opts.key;
      const headers: Record<string, string> = { ...(key ? { authorization: `Bearer ${key}` } : {}), ...opts.headers };
      let body: string | undefined = opts.rawBody;
      if (opts.body !== undefined) body = JSON.stringify(opts.body);
      if (body !== undefined) headers['content-type'] ??= 'application/json';
      const res = await fetch(`${url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      bodies.push(text);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, text, json };
    },
    async close() {
      proc.kill('SIGTERM');
      // Waits for the exit (the event), at most 5 s of graceful shutdown before the SIGKILL below.
      await Promise.race([proc.exited, new Promise((r) => setTimeout(r, 5000))]);
      await proc.destroy();
    },
  };
}

export interface SseEvent {
  event: string;
  data: unknown;
}

/** Read a server-sent event stream until the server ends it (or `timeoutMs`), returning every event. */
export async function readEvents(url: string, key: string | null, timeoutMs = 30_000): Promise<SseEvent[]> {
  const res = await fetch(url, { headers: key ? { authorization: `Bearer ${key}` } : {}, signal: AbortSignal.timeout(timeoutMs) });
  if (res.status !== 200 || res.body === null) throw new Error(`events: HTTP ${res.status}: ${await res.text()}`);
  const events: SseEvent[] = [];
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body) {
    buf += decoder.decode(chunk as Uint8Array, { stream: true });
    let end: number;
    while ((end = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) });
    }
  }
  return events;
}
