/**
 * `driftline push`: test missions onto the queue, from flags or a job file. The mission rows are
 * recorded as `queued` first when PostgreSQL is reachable (else the worker creates them).
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { insertQueuedMission } from '../../db/queries/index.js';
import { DriftlineError } from '../../errors.js';
import { missionIdOf, validateJob } from '../../job/validate.js';
import { numberFlag, parse } from '../args.js';
import { EXIT, UsageError } from '../errors.js';
import { err, out, printJson } from '../output.js';
import { withServices } from '../services.js';
import { isoSeconds } from '../../time.js';

const USAGE = `usage: driftline push [flags] | --file job.json [--raw]   [--multiple N] [--json]

  --lat DEG            last known latitude (default 60.0)
  --lon DEG            last known longitude (default -3.0)
  --start ISO          start time (default: this hour, UTC)
  --hours H            duration in hours (default 24)
  --particles N        particles (default 1000)
  --object-type T      Leeway category, 1-85 or a key like PIW-1 (default 1)
  --seed N             random seed
  --rng fast|opendrift generator
  --wind U,V           constant wind in m/s (else the worker's forcing defaults)
  --current U,V        constant current in m/s
  --no-animation       skip the MP4
  --mission-id ID      mission id (default: a random UUID; with --multiple, ID-1 ... ID-N)
  --file FILE          push this job file instead of building one from flags
  --raw                push --file's text as it is, unvalidated (to test dead letters)
  --multiple N         push N missions (default 1)
  --no-db              do not record the missions as queued in PostgreSQL
  --json               print {queue, mission_ids, queue_length}`;

function vector(value: string | undefined, flag: string): [number, number] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 2 || parts.some((n) => !Number.isFinite(n))) throw new UsageError(`--${flag}: expected "u,v" in m/s, e.g. 5,0`);
  return parts as [number, number];
}

function thisHourIso(): string {
  const d = new Date();
  d.setUTCMinutes(0, 0, 0);
  return isoSeconds(d.getTime() / 1000);
}

export async function pushCommand(argv: string[]): Promise<number> {
  const { values: v } = parse(
    argv,
    {
      lat: { type: 'string' },
      lon: { type: 'string' },
      start: { type: 'string' },
      hours: { type: 'string' },
      particles: { type: 'string' },
      'object-type': { type: 'string' },
      seed: { type: 'string' },
      rng: { type: 'string' },
      wind: { type: 'string' },
      current: { type: 'string' },
      'no-animation': { type: 'boolean' },
      'mission-id': { type: 'string' },
      file: { type: 'string' },
      raw: { type: 'boolean' },
      multiple: { type: 'string' },
      'no-db': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    USAGE,
  );
  if (v.help) {
    out(USAGE);
    return EXIT.OK;
  }
  const multiple = numberFlag(v.multiple as string | undefined, 'multiple', { integer: true, min: 1, max: 100_000 }) ?? 1;
  if (v.raw && !v.file) throw new UsageError('--raw needs --file');

  let template: Record<string, unknown>;
  let rawText: string | null = null;
  if (v.file) {
    const text = await readFile(v.file as string, 'utf8').catch((e: Error) => {
      throw new UsageError(`--file: ${e.message}`);
    });
    if (v.raw) rawText = text;
    try {
      template = v.raw ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch (e) {
      throw new DriftlineError('E_JOB_JSON', `${v.file}: not valid JSON: ${(e as Error).message}`);
    }
  } else {
    const objectType = v['object-type'] as string | undefined;
    const wind = vector(v.wind as string | undefined, 'wind');
    const current = vector(v.current as string | undefined, 'current');
    const rng = v.rng as string | undefined;
    template = {
      params: {
        latitude: numberFlag(v.lat as string | undefined, 'lat') ?? 60.0,
        longitude: numberFlag(v.lon as string | undefined, 'lon') ?? -3.0,
        start_time: (v.start as string | undefined) ?? thisHourIso(),
        duration_hours: numberFlag(v.hours as string | undefined, 'hours') ?? 24,
        num_particles: numberFlag(v.particles as string | undefined, 'particles', { integer: true }) ?? 1000,
        object_type: objectType === undefined ? 1 : /^\d+$/.test(objectType) ? Number(objectType) : objectType,
        ...(v.seed !== undefined ? { seed: numberFlag(v.seed as string, 'seed', { integer: true }) } : {}),
        ...(rng !== undefined ? { rng } : {}),
        ...(wind || current ? { forcing: { ...(wind ? { wind: { constant: wind } } : {}), ...(current ? { current: { constant: current } } : {}) } } : {}),
        ...(v['no-animation'] ? { products: { animation: false } } : {}),
      },
    };
  }

  // Mission ids: --mission-id, else the file's, else random; suffixed -1..-N when pushing several.
  const baseId = (v['mission-id'] as string | undefined) ?? (typeof template.mission_id === 'string' ? template.mission_id : undefined);
  const jobs: Array<{ id: string | null; text: string; params: unknown }> = [];
  for (let i = 1; i <= multiple; i++) {
    if (rawText !== null) {
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(rawText);
      } catch {
        // unparseable on purpose: pushed as it is
      }
      jobs.push({ id: missionIdOf(parsed) ?? null, text: rawText, params: (parsed as { params?: unknown } | null)?.params ?? {} });
      continue;
    }
    const id = baseId === undefined ? randomUUID() : multiple > 1 ? `${baseId}-${i}` : baseId;
    const job = validateJob({ ...template, mission_id: id });
    jobs.push({ id, text: JSON.stringify({ ...template, mission_id: id }), params: job.params });
  }

  return withServices(async (s) => {
    // Redis first: a mission recorded as queued but never pushed would wait for ever.
    const queue = await s.queue();
    if (!v['no-db']) {
      try {
        for (const j of jobs) if (j.id !== null) await insertQueuedMission(s.pool, j.id, j.params);
      } catch (e) {
        err(`warning: missions not recorded in PostgreSQL (${(e as Error).message}); the worker records them when it takes them`);
      }
    }
    // One RPUSH per 1000 jobs keeps a large --multiple from building one huge command.
    let length = 0;
    for (let i = 0; i < jobs.length; i += 1000) length = await queue.push(jobs.slice(i, i + 1000).map((j) => j.text));
    const ids = jobs.map((j) => j.id);
    if (v.json) printJson({ queue: s.config.QUEUE_NAME, mission_ids: ids, queue_length: length });
    else {
      for (const id of ids) out(id ?? '(no mission_id)');
      err(`pushed ${jobs.length} job${jobs.length === 1 ? '' : 's'} to ${s.config.QUEUE_NAME} (length now ${length})`);
    }
    return EXIT.OK;
  });
}
