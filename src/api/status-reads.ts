/**
 * GET /missions/:id reads, batched: every id asked for in one event-loop turn is read with ONE query
 * (getMissionsWithResults, `id = ANY($1)`), and a read of an id whose query is already running joins
 * it (single flight). Nothing is served that is older than the query in progress when the request
 * arrived. 200 concurrent status reads of 200 different missions cost a handful of queries instead of
 * 200 (bench/api.bench.mjs); 200 reads of one mission cost one query and one serialisation, as before.
 *
 * A body made once is kept (BodyCache) and served again while the mission's version (the row and
 * result row versions the query returns with it) is unchanged and its presigned URLs are not due for
 * renewal; the query still runs for every batch, so nothing older than it is served.
 */

/** Reads the serialised bodies of these ids (null: no such mission); one query for all of them. */
export type LoadBodies = (ids: string[]) => Promise<Map<string, string | null>>;

/** ANY($1) over 500 text ids stays one index scan and a ~10 kB parameter; bigger bursts are split. */
const MAX_BATCH_IDS = 500;

interface Waiter {
  resolve(body: string | null): void;
  reject(err: unknown): void;
}

export class StatusReads {
  private readonly inFlight = new Map<string, Promise<string | null>>();
  private pending = new Map<string, { promise: Promise<string | null>; waiter: Waiter }>();
  private scheduled = false;

  constructor(private readonly load: LoadBodies) {}

  get(id: string): Promise<string | null> {
    const running = this.inFlight.get(id) ?? this.pending.get(id)?.promise;
    if (running !== undefined) return running;
    let waiter: Waiter | undefined;
    const promise = new Promise<string | null>((resolve, reject) => {
      waiter = { resolve, reject };
    });
    // The executor above runs synchronously, so waiter is set here.
    if (waiter === undefined) throw new Error('unreachable: promise executor did not run');
    this.pending.set(id, { promise, waiter });
    if (!this.scheduled) {
      this.scheduled = true;
      // setImmediate: after the I/O callbacks of this turn, so requests parsed from the same socket
      // reads land in the same batch.
      setImmediate(() => this.flush());
    }
    return promise;
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = new Map();
    const ids = [...batch.keys()];
    for (let i = 0; i < ids.length; i += MAX_BATCH_IDS) {
      const chunk = ids.slice(i, i + MAX_BATCH_IDS);
      for (const id of chunk) {
        const entry = batch.get(id);
        if (entry !== undefined) this.inFlight.set(id, entry.promise);
      }
      this.load(chunk).then(
        (bodies) => {
          for (const id of chunk) {
            this.inFlight.delete(id);
            batch.get(id)?.waiter.resolve(bodies.get(id) ?? null);
          }
        },
        (err: unknown) => {
          for (const id of chunk) {
            this.inFlight.delete(id);
            batch.get(id)?.waiter.reject(err);
          }
        },
      );
    }
  }
}

/**
 * Serialised status bodies by mission id, each with the version of the rows it was made from and the
 * time its presigned URLs are due for renewal (PresignCache renews at half their lifetime). Measured
 * with bench/api.bench.mjs (200 different missions read every round): building the view, six product
 * views and JSON.stringify cost ~0.03-0.05 ms of the server's 0.16-0.19 ms per request.
 */
export class BodyCache {
  private readonly bodies = new Map<string, { version: string; body: string; untilMs: number }>();
  /** 10 000 bodies of ~4 kB: about 40 MB at most; when full it starts again (all are rebuilt on demand). */
  static readonly MAX_ENTRIES = 10_000;

  /** The body made from this version, if it is still good at nowMs. */
  get(id: string, version: string, nowMs: number): string | undefined {
    const hit = this.bodies.get(id);
    return hit !== undefined && hit.version === version && nowMs < hit.untilMs ? hit.body : undefined;
  }

  set(id: string, version: string, body: string, untilMs: number): void {
    if (this.bodies.size >= BodyCache.MAX_ENTRIES && !this.bodies.has(id)) this.bodies.clear();
    this.bodies.set(id, { version, body, untilMs });
  }

  delete(id: string): void {
    this.bodies.delete(id);
  }
}
