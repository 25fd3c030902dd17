/**
 * Numbers and times printed as Python (and numpy) print them, for files that must match OpenDrift's
 * byte for byte (products/leeway.txt, leeway-ascii.ts): `%.Nf` with Python's rounding of exact ties to
 * even where JavaScript's toFixed rounds them up (pyFixed, and putPyFixed writing the same digits into a
 * buffer without a string), `str()` of floats and datetimes, `%i`, and numpy's pairwise float32 sum.
 * Pure: no I/O.
 */
/** Python's `'%.{digits}f' % x` (round half to even on the exact binary value; 'nan' for NaN). */
export function pyFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const s = x.toFixed(digits);
  // An exact tie needs x·10^digits = n + ½ exactly. The product in double is within 2^-52 of it
  // relatively (10^digits is exact up to 22 digits), so a fraction further than that from ½ is no tie
  // and toFixed's answer stands: the exact expansion below, the slow part (80 ms for 25 000 records),
  // runs only for near-ties.
  const scaled = Math.abs(x) * 10 ** digits;
  if (digits <= 22 && Math.abs(scaled - Math.floor(scaled) - 0.5) > scaled * 2 ** -50 + 2 ** -1074) return s;
  // toFixed(100) is the exact decimal expansion as far as any tie can matter (a double has <= 52 fraction bits).
  const exact = Math.abs(x).toFixed(Math.min(100, digits + 60));
  const dot = exact.indexOf('.');
  const tail = exact.slice(dot + 1 + digits);
  if (!/^50*$/.test(tail)) return s;
  // An exact tie: toFixed rounded away from zero; Python keeps the even neighbour.
  const kept = exact.slice(0, digits === 0 ? dot : dot + 1 + digits);
  if (Number(kept[kept.length - 1]) % 2 !== 0) return s;
  return x < 0 ? `-${kept}` : kept;
}

/** Python's `str(float)`: repr, "45.0" for whole numbers, exponent below 1e-4 and from 1e16. */
export function pyFloatStr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
    const [mant, exp] = x.toExponential().split('e') as [string, string];
    const e = Number(exp);
    return `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  const s = String(x);
  return Number.isInteger(x) ? `${s}.0` : s;
}

const pad2 = (v: number) => String(v).padStart(2, '0');

/** Python's `str(datetime)` of a UTC time: "2024-01-01 00:00:00" (".ffffff" when there are microseconds). */
export function pyDatetimeStr(sec: number): string {
  const us = Math.round(sec * 1e6);
  const d = new Date(Math.floor(us / 1000));
  const frac = ((us % 1_000_000) + 1_000_000) % 1_000_000;
  const base = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  return frac === 0 ? base : `${base}.${String(frac).padStart(6, '0')}`;
}

/** `strftime('%Y-%m-%d\t%H:%M:%S')`. */
export function tabbedTime(sec: number): string {
  return pyDatetimeStr(Math.floor(sec)).replace(' ', '\t');
}

/** Python's `'%i' % x` of a float: truncation towards zero. */
export const pyInt = (x: number): string => String(Math.trunc(x));

/**
 * numpy's pairwise float32 sum (`pairwise_sum_FLOAT`, numpy 1.24): below 8 values a running sum; up to 128
 * eight running sums combined pairwise, then the rest; above, the two halves (the first a multiple of 8).
 */
export function numpyPairwiseSumF32(v: ArrayLike<number>, start: number, n: number): number {
  const f = Math.fround;
  // A value past the end reads as NaN, as `undefined + x` would.
  const at = (k: number): number => v[k] ?? NaN;
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res = f(res + at(start + i));
    return res;
  }
  if (n <= 128) {
    // The eight running sums, r0..r7 (numpy's r[0]..r[7]).
    let r0 = f(at(start));
    let r1 = f(at(start + 1));
    let r2 = f(at(start + 2));
    let r3 = f(at(start + 3));
    let r4 = f(at(start + 4));
    let r5 = f(at(start + 5));
    let r6 = f(at(start + 6));
    let r7 = f(at(start + 7));
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      const k = start + i;
      r0 = f(r0 + at(k));
      r1 = f(r1 + at(k + 1));
      r2 = f(r2 + at(k + 2));
      r3 = f(r3 + at(k + 3));
      r4 = f(r4 + at(k + 4));
      r5 = f(r5 + at(k + 5));
      r6 = f(r6 + at(k + 6));
      r7 = f(r7 + at(k + 7));
    }
    let res = f(f(f(r0 + r1) + f(r2 + r3)) + f(f(r4 + r5) + f(r6 + r7)));
    for (; i < n; i++) res = f(res + at(start + i));
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return Math.fround(numpyPairwiseSumF32(v, start, n2) + numpyPairwiseSumF32(v, start + n2, n - n2));
}

/** 10^digits for the digits putPyFixed writes with integer arithmetic (0-6; more take pyFixed). */
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6];
/** Below this, x·10^digits and its integer arithmetic are exact enough for the fast path (see putPyFixed). */
const FAST_SCALED_MAX = 2 ** 40;

/** Writes the decimal digits of a non-negative integer n < 2^53 at pos; returns the position after them. */
export function putUint(buf: Buffer, pos: number, n: number): number {
  if (n <= INT32_MAX) return putSmallUint(buf, pos, n);
  let digits = 1;
  for (let v = n; v >= 10; v = Math.floor(v / 10)) digits++;
  let v = n;
  for (let k = digits - 1; k >= 0; k--) {
    buf[pos + k] = 48 + (v % 10);
    v = Math.floor(v / 10);
  }
  return pos + digits;
}

const INT32_MAX = 0x7fffffff;

/**
 * putUint for 0 ≤ n ≤ 2^31 − 1, in int32 arithmetic: `(v / 10) | 0` is floor(v / 10) for such v, and
 * v − 10·q its last digit, without the double `%` and Math.floor of putUint's general case.
 */
function putSmallUint(buf: Buffer, pos: number, n: number): number {
  let digits = 1;
  for (let v = n | 0; v >= 10; v = (v / 10) | 0) digits++;
  let v = n | 0;
  for (let k = digits - 1; k >= 0; k--) {
    const q = (v / 10) | 0;
    buf[pos + k] = 48 + v - q * 10;
    v = q;
  }
  return pos + digits;
}

/** The digits of n / p10 (p10 = 10^digits, 0 ≤ n ≤ 2^31 − 1) with `digits` decimals, in int32 arithmetic. */
function putScaledInt(buf: Buffer, pos: number, n: number, p10: number, digits: number): number {
  const intPart = (n / p10) | 0;
  pos = putSmallUint(buf, pos, intPart);
  if (digits === 0) return pos;
  buf[pos++] = 46; // '.'
  let f = n - intPart * p10;
  for (let k = digits - 1; k >= 0; k--) {
    const q = (f / 10) | 0;
    buf[pos + k] = 48 + f - q * 10;
    f = q;
  }
  return pos + digits;
}

/**
 * pyFixed(x, digits) written as ASCII into buf at pos, without making a string: the product's lines are
 * 97 % numbers, and building them as strings cost 1.4 s of formatting and 3.4 s of garbage collection for
 * 100 000 particles × 49 records (7.3 s in all). Same digits as pyFixed: the nearest integer to x·10^digits is
 * floor + (fraction > ½) whenever the fraction is further from ½ than the product's rounding error
 * (x·10^digits < 2^40, so the error is under 2^-12 of a unit); near ties, NaN, infinities and huge values
 * take pyFixed itself. The sign is written for x < 0, as toFixed does (so −0 prints without one).
 */
export function putPyFixed(buf: Buffer, pos: number, x: number, digits: number): number {
  const p10 = POW10[digits];
  const n = p10 === undefined ? -1 : fastRounded(x, p10);
  if (p10 === undefined || n < 0) return pos + buf.write(pyFixed(x, digits), pos, 'latin1');
  if (x < 0) buf[pos++] = 45; // '-'
  if (n <= INT32_MAX) return putScaledInt(buf, pos, n | 0, p10, digits);
  const intPart = Math.floor(n / p10);
  pos = putUint(buf, pos, intPart);
  if (digits > 0) {
    buf[pos++] = 46; // '.'
    let f = n - intPart * p10;
    for (let k = digits - 1; k >= 0; k--) {
      buf[pos + k] = 48 + (f % 10);
      f = Math.floor(f / 10);
    }
    pos += digits;
  }
  return pos;
}

/**
 * The nearest integer to |x|·p10 (the fast path of putPyFixed and putPyFixed5), or −1 where pyFixed itself
 * must decide: at or above FAST_SCALED_MAX, NaN and infinities, and a fraction within the product's
 * rounding error of ½.
 */
function fastRounded(x: number, p10: number): number {
  const scaled = Math.abs(x) * p10;
  if (!(scaled < FAST_SCALED_MAX)) return -1;
  const whole = Math.floor(scaled);
  const frac = scaled - whole;
  if (!(Math.abs(frac - 0.5) > scaled * 2 ** -50 + 2 ** -1074)) return -1;
  return frac > 0.5 ? whole + 1 : whole;
}

/*
 * Digits written four at a time. A leeway.txt line is ~32 bytes; written a byte at a time with a division
 * per digit, its numbers (putUint, putPyFixed) cost 178-250 ms for the 980 000 lines of the 20 000 × 48 h
 * case (micro-bench, warm, slow shared machine). With these tables a 4-digit group is one table read and
 * one 32-bit store (DataView.setInt32, which V8 inlines): 101-153 ms, the same bytes.
 */
/** DIGITS4[v] (0 ≤ v ≤ 9999): v's four digits, zero-padded, as the little-endian int32 of their ASCII bytes. */
const DIGITS4 = new Int32Array(10_000);
/** LEAD4[v]: v's digits without leading zeros, first digit in the lowest byte; LEAD4_LEN[v] of them. */
const LEAD4 = new Int32Array(10_000);
const LEAD4_LEN = new Uint8Array(10_000);
for (let v = 0; v < 10_000; v++) {
  const len = v >= 1000 ? 4 : v >= 100 ? 3 : v >= 10 ? 2 : 1;
  let padded = 0;
  let lead = 0;
  for (let k = 0, rest = v; k < 4; k++, rest = (rest / 10) | 0) {
    const ascii = 48 + (rest % 10); // digit k from the right
    padded |= ascii << (8 * (3 - k));
    if (k < len) lead |= ascii << (8 * (len - 1 - k));
  }
  DIGITS4[v] = padded;
  LEAD4[v] = lead;
  LEAD4_LEN[v] = len;
}

/**
 * A chunk that putUintWords and putPyFixed5 write into: the bytes, and a DataView on the same memory for
 * the 4-byte stores. Those may write up to 3 bytes past the returned position (bytes that what follows
 * overwrites or that lie past the chunk's end), so a writer keeps 4 spare bytes at the end of the chunk.
 */
export interface AsciiChunk {
  bytes: Buffer;
  view: DataView;
}

export function asciiChunk(bytes: Buffer): AsciiChunk {
  return { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

/** putUint (the digits of an integer 0 ≤ n < 2^53), four digits per store below 10^8. */
export function putUintWords(c: AsciiChunk, pos: number, n: number): number {
  if (n < 10_000) {
    c.view.setInt32(pos, LEAD4[n] ?? 0, true); // n is an integer in [0, 9999]: in bounds
    return pos + (LEAD4_LEN[n] ?? 0);
  }
  if (n >= 100_000_000) return putUint(c.bytes, pos, n);
  const hi = (n / 10_000) | 0;
  c.view.setInt32(pos, LEAD4[hi] ?? 0, true);
  pos += LEAD4_LEN[hi] ?? 0;
  c.view.setInt32(pos, DIGITS4[n - hi * 10_000] ?? 0, true);
  return pos + 4;
}

/**
 * putPyFixed(x, 5) with the digits stored four at a time: the same decision (fastRounded, else pyFixed's
 * exact expansion), the same characters.
 */
export function putPyFixed5(c: AsciiChunk, pos: number, x: number): number {
  const n = fastRounded(x, 1e5);
  if (n < 0) return pos + c.bytes.write(pyFixed(x, 5), pos, 'latin1');
  if (x < 0) c.bytes[pos++] = 45; // '-'
  const intPart = Math.floor(n / 100_000); // < 2^40 / 10^5: putUintWords' 4-digit stores
  const f = n - intPart * 100_000; // the five decimals, 0-99 999
  pos = putUintWords(c, pos, intPart);
  const hi = (f / 10) | 0;
  c.bytes[pos] = 46; // '.'
  c.view.setInt32(pos + 1, DIGITS4[hi] ?? 0, true);
  c.bytes[pos + 5] = 48 + f - hi * 10;
  return pos + 6;
}
