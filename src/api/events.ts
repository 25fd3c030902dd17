/**
 * Server-sent events for GET /missions/:id/events, fed by ONE shared poller: every API_EVENTS_POLL_MS
 * (1 s by default, the same period as the worker's progress writes) a single query reads the state
 * of every mission that any open stream watches, however many streams are open. Each stream gets
 *   event: stage     {"status": "queued"|"processing", ...}   when the status changes (and at once)
 *   event: progress  {"progress": 0.42}                       when progress changes
 *   event: completed | failed | cancelled  {the final state}  then the stream ends
 * and a comment line every 15 s so proxies keep an idle stream open.
 * The database has no pipeline stage column (forcing/simulation/products): `stage` carries the status.
 */
import type { ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import type { MissionState } from '../db/queries/index.js';

const FINAL = new Set(['completed', 'failed', 'cancelled']);
/** Proxies (nginx: 60 s) close idle connections; a comment every 15 s is well inside that. */
const KEEPALIVE_MS = 15_000;

interface Stream {
  missionId: string;
  res: ServerResponse;
  lastStatus: string | null;
  lastProgress: number | null;
}

export type ReadStates = (ids: string[]) => Promise<MissionState[]>;

export class MissionEvents {
  private readonly streams = new Set<Stream>();
  private timer: NodeJS.Timeout | null = null;
  private keepalive: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(
    private readonly read: ReadStates,
    private readonly pollMs: number,
    private readonly logger: Logger,
    private readonly onCountChange: (open: number) => void = () => undefined,
  ) {}

  get open(): number {
    return this.streams.size;
  }

  /** Start streaming one mission's events to `res` (headers already written), starting with `initial`. */
  add(res: ServerResponse, initial: MissionState): void {
    const stream: Stream = { missionId: initial.id, res, lastStatus: null, lastProgress: null };
    this.streams.add(stream);
    this.onCountChange(this.streams.size);
    res.on('close', () => this.remove(stream));
    this.deliver(stream, initial);
    if (this.streams.has(stream)) this.ensureTimers();
  }

  private remove(stream: Stream): void {
    if (!this.streams.delete(stream)) return;
    this.onCountChange(this.streams.size);
    if (this.streams.size === 0) this.stopTimers();
  }

  private ensureTimers(): void {
    this.timer ??= setInterval(() => void this.poll(), this.pollMs);
    this.keepalive ??= setInterval(() => {
      for (const s of this.streams) s.res.write(': keepalive\n\n');
    }, KEEPALIVE_MS);
  }

  private stopTimers(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.keepalive) clearInterval(this.keepalive);
    this.timer = this.keepalive = null;
  }

  /** One query for all watched missions; a slow database skips ticks instead of piling them up. */
  private async poll(): Promise<void> {
    if (this.polling || this.streams.size === 0) return;
    this.polling = true;
    try {
      const ids = [...new Set([...this.streams].map((s) => s.missionId))];
      const states = new Map((await this.read(ids)).map((m) => [m.id, m]));
      for (const s of [...this.streams]) {
        const state = states.get(s.missionId);
        if (state) this.deliver(s, state);
      }
    } catch (err) {
      // PostgreSQL away: streams stay open and catch up on the next successful poll.
      this.logger.warn({ err: (err as Error).message }, 'events poll failed; retrying next tick');
    } finally {
      this.polling = false;
    }
  }

  private deliver(s: Stream, m: MissionState): void {
    if (m.status !== s.lastStatus) {
      s.lastStatus = m.status;
      if (FINAL.has(m.status)) {
        send(s.res, m.status, {
          id: m.id,
          status: m.status,
          progress: m.progress,
          warnings: m.warnings ?? [],
          error: m.error === null ? null : { code: m.error_code, message: m.error },
        });
        s.res.end();
        this.remove(s);
        return;
      }
      send(s.res, 'stage', { id: m.id, status: m.status, cancel_requested: m.cancel_requested_at !== null });
    }
    if (m.progress !== s.lastProgress) {
      s.lastProgress = m.progress;
      send(s.res, 'progress', { id: m.id, progress: m.progress });
    }
  }

  /** End every stream (server shutdown). */
  close(): void {
    for (const s of [...this.streams]) {
      s.res.end();
      this.remove(s);
    }
    this.stopTimers();
  }
}

function send(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
