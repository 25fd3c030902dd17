/**
 * products/leeway.txt: the original Leeway ASCII format, which older SAR tools ingest, written as OpenDrift
 * 1.14.10's `Leeway.export_ascii()` writes it (models/leeway.py), so that the two files of the same run
 * agree line for line. What that function does, and this one reproduces:
 *  - a header: run start, model version " 3.00", object id and key, seeding start/end time, position and
 *    radius (km) as Python prints the seeding arguments (`str()` of floats and datetimes), seeding
 *    duration in minutes and output steps, output step (min), run length (min and records), particles;
 *  - one block per output record: time, minutes since start, record number, particles newly seen and
 *    seen so far (released, deactivated included), the mean position of the active particles, then one
 *    line per particle row 0..seen-1 in OpenDrift's order: id, lon, lat, state (11 active, 41 stranded
 *    or not released, other codes as they are), age in minutes (0 before release and in backward runs)
 *    and orientation. Positions, status and orientation are carried forward after deactivation, as
 *    OpenDrift's `ffill` does; a record with no active particle is printed from the record before it.
 *  - the mean is numpy's `nanmean` of the float32 positions (a pairwise float32 sum over all rows with
 *    the inactive ones as 0, divided by the count in double, rounded to float32), printed `%.5f`.
 * Python's `%.Nf` rounds exact ties to even where JavaScript's toFixed rounds them up: `pyFixed`
 * (python-format.ts, with the other Python and numpy printing this file needs).
 *
 * Written as a stream, one record at a time: ~40 bytes per particle per output record.
 */
import { isBackward, particleOfRow } from '../model/numbering.js';
import { STATUS, type ModelParams, type TrajectoryResult } from '../model/types.js';
import type { ProductContext } from './types.js';
import { writePieces } from './files.js';
import { asciiChunk, numpyPairwiseSumF32, putPyFixed, putPyFixed5, putUintWords, pyDatetimeStr, pyFixed, pyFloatStr, pyInt, tabbedTime, type AsciiChunk } from './python-format.js';

/**
 * Largest particles × records written: the format spends ~40 bytes on each, so 10 M records is ~400 MB,
 * already more than any tool that reads this text format was built for; larger missions skip the file.
 */
export const LEEWAY_ASCII_MAX_RECORDS = 10_000_000;


/** The seeding arguments as OpenDrift's `self.ascii` holds them: [start, end] of time, lon, lat, radius (m). */
function seedingArguments(model: ModelParams): { time: [number, number]; lon: [number, number]; lat: [number, number]; radiusM: [number, number] } {
  const s = model.seeding;
  return {
    time: [model.startTimeSec, s.endTimeSec ?? model.startTimeSec],
    lon: [s.lonDeg, s.endLonDeg ?? s.lonDeg],
    lat: [s.latDeg, s.endLatDeg ?? s.latDeg],
    radiusM: [s.radiusM, s.endRadiusM ?? s.radiusM],
  };
}


/**
 * The carried-forward state of every row at record `step` (OpenDrift's ffill along time): rows released
 * by then take the record's position, state and orientation. Returns the number of active rows. A plain
 * function, not a loop of the generator (see putParticleLines). Reading blocks of records per particle
 * instead (time-major copies, fewer cache misses) bought ~5 ms at the 20 000 × 48 h case of
 * bench/opendrift-side-by-side.mjs and cost ~10 ms at the 1 000 × 24 h case of bench/mission.bench.mjs, whose
 * extra copy runs unoptimised: not kept.
 */
function carryForward(result: TrajectoryResult, rowParticle: Int32Array, step: number, rows: RowState): number {
  const { nTimes: nT, status, lonDeg, latDeg, orientation } = result;
  let nActive = 0;
  // q < n * nT: the reads are in bounds, the `??` only satisfy the type.
  for (let row = 0; row < rowParticle.length; row++) {
    const q = (rowParticle[row] as number) * nT + step;
    const s = status[q] ?? STATUS.NOT_RELEASED;
    if (s === STATUS.NOT_RELEASED) continue;
    // After deactivation driftline keeps the particle's last position and status: the same as ffill.
    rows.lon[row] = lonDeg[q] ?? NaN;
    rows.lat[row] = latDeg[q] ?? NaN;
    rows.state[row] = s;
    rows.orientation[row] = orientation[q] ?? 0;
    if (s === STATUS.ACTIVE) nActive++;
  }
  return nActive;
}

/** Particle lines are written into chunks of this size (a new one each time: a consumer may still hold the last). */
const CHUNK_BYTES = 1 << 20;
/**
 * Longest particle line: 10-digit id, two 12-character numbers, state, a 12-digit age, orientation, tabs;
 * with room for the 3 bytes past a number that putUintWords' and putPyFixed5's 4-byte stores may write.
 */
const MAX_LINE_BYTES = 96;

/** The text in pieces (header, then one piece per record), so a caller can stream it. */
export function* leewayAsciiPieces(result: TrajectoryResult, ctx: ProductContext): Generator<string | Uint8Array> {
  const m = ctx.model;
  const { nParticles: n, nTimes: nT } = result;
  const backward = isBackward(m.timeStepSec);
  const outputMin = m.outputStepSec / 60;
  const seed = seedingArguments(m);
  const seedDurationMin = (seed.time[1] - seed.time[0]) / 60;
  const seedSteps = Math.max(1, seedDurationMin / outputMin);
  // Rows in OpenDrift's order; release record of each row (numpy argmax of notnull: 0 when never released).
  const rowParticle = Int32Array.from({ length: n }, (_, row) => particleOfRow(row, n, backward));
  const firstRecord = new Int32Array(n);
  let activated = 0;
  rowParticle.forEach((p, row) => {
    let first = -1;
    for (let t = 0; t < nT && first < 0; t++) if (result.status[p * nT + t] !== STATUS.NOT_RELEASED) first = t;
    firstRecord[row] = Math.max(0, first);
    if (first >= 0) activated++;
  });
  // NaN without records, as the subtraction of two missing times would give.
  const firstTimeSec = result.timesSec[0] ?? NaN;
  const simLengthMin = ((result.timesSec[nT - 1] ?? NaN) - firstTimeSec) / 60;
  yield [
    '# Drift simulation initiated [UTC]:',
    'simDate simTime',
    `${tabbedTime(firstTimeSec)}\t#`,
    '# Model version:',
    'modelVersion',
    ' 3.00',
    '# Object class id & name:',
    'objectClassId  objectClassName',
    ` ${ctx.category.id}\t${ctx.category.key}`,
    '# Seeding start time, position & radius:',
    'startDate\tstartTime\tstartLon\tstartLat\tstartRad',
    `${pyDatetimeStr(seed.time[0])}\t${pyFloatStr(seed.lon[0])}\t${pyFloatStr(seed.lat[0])}\t${pyFloatStr(seed.radiusM[0] / 1000)}`,
    '# Seeding end time, position & radius:',
    'endDate\tendTime\tendLon\tendLat\tendRad',
    `${pyDatetimeStr(seed.time[1])}\t${pyFloatStr(seed.lon[1])}\t${pyFloatStr(seed.lat[1])}\t${pyFloatStr(seed.radiusM[1] / 1000)}`,
    '# Duration of seeding [min] & [timesteps]:',
    'seedDuration   seedSteps',
    `    ${pyInt(seedDurationMin)}      ${pyInt(seedSteps)}`,
    '# Length of timestep [min]:',
    'timeStep',
    pyInt(outputMin),
    '# Length of model simulation [min] & [timesteps]:',
    'simLength  simSteps',
    `${pyInt(simLengthMin)}\t${nT}`,
    '# Total no of seeded particles:',
    'seedTotal',
    ` ${activated}`,
    '# Particles seeded per timestep:',
    'seedRate',
    ` ${pyInt(activated / seedSteps)}`,
    '',
  ].join('\n');

  // Carried-forward state of every row (OpenDrift ffill along time), updated record by record.
  const lon = new Float32Array(n).fill(NaN);
  const lat = new Float32Array(n).fill(NaN);
  const state = new Int16Array(n).fill(-1); // -1: never released (NaN)
  const orientation = new Int16Array(n).fill(-1);
  const sumLon = new Float32Array(n);
  const sumLat = new Float32Array(n);
  let beforeSeeded = 0;
  const prev = { lon: new Float32Array(n), lat: new Float32Array(n), state: new Int16Array(n), orientation: new Int16Array(n) };
  for (let step = 0; step < nT; step++) {
    prev.lon.set(lon);
    prev.lat.set(lat);
    prev.state.set(state);
    prev.orientation.set(orientation);
    const nActive = carryForward(result, rowParticle, step, { lon, lat, state, orientation });
    // No active particle: OpenDrift prints the record before (index = step - 1).
    const src = nActive === 0 && step > 0 ? prev : { lon, lat, state, orientation };
    const { seen, count } = activePositions(src, sumLon, sumLat);
    const meanLon = count === 0 ? NaN : Math.fround(numpyPairwiseSumF32(sumLon, 0, n) / count);
    const meanLat = count === 0 ? NaN : Math.fround(numpyPairwiseSumF32(sumLat, 0, n) / count);
    const header: string[] = [
      '',
      '# Date [UTC]:',
      'nowDate   nowTime',
      tabbedTime(result.timesSec[step] ?? NaN),
      '# Time passed [min] & [timesteps], now seeded, seeded so far:',
      'timePassed  nStep   nowSeeded   nSeeded',
      `  ${pyInt((step * m.outputStepSec * (backward ? -1 : 1)) / 60)}\t${step + 1}\t${seen - beforeSeeded}\t${seen}`,
      '# Mean position:',
      'meanLon meanLat',
      `${pyFixed(meanLon, 5)}\t${pyFixed(meanLat, 5)}`,
      '# Particle data:',
      'id  lon lat state   age orientation',
    ];
    beforeSeeded = seen;
    yield header.join('\n');
    const signedOutputMin = backward ? -outputMin : outputMin;
    let chunk = asciiChunk(Buffer.allocUnsafe(CHUNK_BYTES));
    let pos = 0;
    const lines: LineCursor = { row: 0, pos: 0 };
    for (;;) {
      lines.pos = pos;
      putParticleLines(chunk, lines, seen, step, signedOutputMin, src, firstRecord);
      pos = lines.pos;
      if (lines.row >= seen) break;
      yield chunk.bytes.subarray(0, pos);
      chunk = asciiChunk(Buffer.allocUnsafe(CHUNK_BYTES));
      pos = 0;
    }
    chunk.bytes[pos++] = 10;
    yield chunk.bytes.subarray(0, pos);
  }
}

/** Per row: last position, state (−1: never released) and orientation (−1: none). */
interface RowState {
  lon: Float32Array;
  lat: Float32Array;
  state: Int16Array;
  orientation: Int16Array;
}

/**
 * Rows released so far (`seen`) and active (`count`); sumLon/sumLat get each active row's position and
 * 0 for the others (the terms of numpy's mean over the active rows).
 */
function activePositions(src: RowState, sumLon: Float32Array, sumLat: Float32Array): { seen: number; count: number } {
  let seen = 0;
  let count = 0;
  for (let row = 0; row < src.state.length; row++) {
    const s = src.state[row] as number; // row < n, every per-row array's length
    if (s >= 0) seen++;
    const active = s === STATUS.ACTIVE;
    if (active) count++;
    sumLon[row] = active ? (src.lon[row] ?? NaN) : 0;
    sumLat[row] = active ? (src.lat[row] ?? NaN) : 0;
  }
  return { seen, count };
}

/** Where putParticleLines is: the next row to write and the next byte of the chunk. */
interface LineCursor {
  row: number;
  pos: number;
}

/**
 * The particle lines of one record from cursor.row on, into buf from cursor.pos, until the rows end or
 * the chunk has no room for another line; advances the cursor. Each line is "\n" + id, lon, lat, state,
 * age, orientation separated by tabs (as the lines joined by newlines were). A plain function, not
 * the generator's own loop: V8 compiles a long loop of a plain function while it runs (on-stack
 * replacement), not one of a generator, so the lines of a process's first mission ran unoptimised.
 * leewayAsciiPieces of the 20 000 × 48 h case of bench/opendrift-side-by-side.mjs (980 000 lines), first call
 * in a process: 218-232 -> 178 ms.
 */
function putParticleLines(
  chunk: AsciiChunk,
  cursor: LineCursor,
  seen: number,
  step: number,
  signedOutputMin: number,
  src: RowState,
  firstRecord: Int32Array,
): void {
  const buf = chunk.bytes;
  let pos = cursor.pos;
  let row = cursor.row;
  // row < seen <= n, every per-row array's length: the `??` only satisfy the type.
  for (; row < seen && pos <= CHUNK_BYTES - MAX_LINE_BYTES; row++) {
    const s = src.state[row] ?? -1;
    const code = s < 0 || s === STATUS.STRANDED ? 41 : s === STATUS.ACTIVE ? 11 : s;
    const ageMin = Math.max(0, signedOutputMin * (step - (firstRecord[row] ?? 0)));
    const o = src.orientation[row] ?? -1;
    buf[pos++] = 10; // '\n'
    pos = putUintWords(chunk, pos, row + 1);
    buf[pos++] = 9; // '\t'
    pos = putPyFixed5(chunk, pos, src.lon[row] ?? NaN);
    buf[pos++] = 9;
    pos = putPyFixed5(chunk, pos, src.lat[row] ?? NaN);
    buf[pos++] = 9;
    pos = putUintWords(chunk, pos, code);
    buf[pos++] = 9;
    // A whole number of minutes (any whole output step in minutes) is its digits, as %.0f prints it.
    pos = (ageMin | 0) === ageMin ? putUintWords(chunk, pos, ageMin) : putPyFixed(buf, pos, ageMin, 0);
    buf[pos++] = 9;
    pos = o < 0 ? pos + buf.write('nan', pos, 'latin1') : putUintWords(chunk, pos, o);
  }
  cursor.row = row;
  cursor.pos = pos;
}

/** Writes products/leeway.txt; returns its size in bytes and its sha256, hashed piece by piece as written. */
export async function writeLeewayAscii(result: TrajectoryResult, ctx: ProductContext, filePath: string): Promise<{ bytes: number; sha256: string }> {
  return writePieces(filePath, leewayAsciiPieces(result, ctx));
}
