/**
 * Bounds on a raw job before the schema sees it. A job is untrusted input from a Redis list: these
 * checks keep a hostile one from costing memory, CPU or the stack, and from reaching PostgreSQL with
 * bytes it refuses (a NUL makes jsonb and text columns fail, so the failure could never be recorded).
 *
 *  - `checkJobText` runs on the text, before JSON.parse: size, then nesting depth by one linear scan
 *    (no recursion). JSON.parse itself copes with deep nesting, but 130 000 levels in 256 KiB took
 *    1.4 s of main thread (measured, Node 20), and zod and JSON.stringify recurse.
 *  - `checkJobValue` walks the parsed value without recursion: depth, string and key lengths, NULs,
 *    list lengths, keys that reach prototypes, and the size of producers' extra root keys.
 * Both collect every problem (up to a cap) as `{path, message}`, the same shape as zod's issues, so one
 * formatter names every field.
 *
 * The sanitisers (`sanitiseJobText`, `sanitiseForJson`) make a failed job storable for operators.
 */

/** Limits on a job. Every number is far above what a real job uses (a full job is under 2 KB). */
export const JOB_CAPS = {
  /** Job text, UTF-8 bytes: room for ~1 000 forcing URIs of 200 characters. */
  maxJobBytes: 256 * 1024,
  /** Nesting depth (the schema's deepest path is 4: params.forcing.wind.uri[i]). */
  maxDepth: 32,
  /** One string value (a presigned URL is ~1-2 KB). */
  maxStringChars: 4096,
  /** One object key. */
  maxKeyChars: 128,
  /** Any one list (the schema caps specific lists lower, e.g. search_area_percents). */
  maxListItems: 1000,
  /** Keys at the root besides mission_id and params (producers add e.g. created_by). */
  maxExtraRootKeys: 16,
  /** All extra root keys together, as JSON bytes. */
  maxExtraRootBytes: 4096,
  /** Problems collected before the walk stops. */
  maxIssues: 50,
} as const;

export type JobCaps = typeof JOB_CAPS;

export interface JobIssue {
  path: ReadonlyArray<string | number>;
  message: string;
}

/** Keys that reach an object's prototype when a consumer copies the job with plain assignment. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const ROOT_KEYS = new Set(['mission_id', 'params']);

/** A key or name as shown in a message: control characters escaped, at most 40 characters. */
export function showKey(key: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = key.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return clean.length > 40 ? `${clean.slice(0, 40)}…(${key.length} chars)` : clean;
}

/** `params.forcing.wind.uri[3]`; `(job)` for the root. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += `${out === '' ? '' : '.'}${showKey(String(seg))}`;
  }
  return out === '' ? '(job)' : out;
}

/**
 * Size and depth of the job text, checked before parsing. Returns the first problem, or null.
 * The depth scan follows strings (so brackets inside them do not count) and keeps the path of keys
 * and indices down to the cap, so the error names where the nesting goes too deep.
 */
export function checkJobText(text: string, caps: JobCaps = JOB_CAPS): JobIssue | null {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > caps.maxJobBytes) {
    return { path: [], message: `job is ${bytes} bytes; at most ${caps.maxJobBytes} (MAX_JOB_BYTES) are accepted` };
  }
  // One frame per open container: its key (objects) or index (arrays).
  const stack: Array<{ array: boolean; seg: string | number }> = [];
  let lastString = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i + 1;
      for (i = start; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
      lastString = text.slice(start, Math.min(i, start + 64));
    } else if (c === 0x3a /* : */) {
      const top = stack[stack.length - 1];
      if (top && !top.array) top.seg = lastString;
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.array && typeof top.seg === 'number') top.seg++;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (stack.length >= caps.maxDepth) {
        return {
          path: stack.map((f) => f.seg),
          message: `nested deeper than ${caps.maxDepth} levels (at character ${i})`,
        };
      }
      stack.push({ array: c === 0x5b, seg: c === 0x5b ? 0 : '' });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    }
  }
  return null;
}

/**
 * Every bounded property of a parsed job, without recursion. The path of a container's children is
 * built only when they are visited, and the walk stops after `caps.maxIssues` problems.
 */
export function checkJobValue(value: unknown, caps: JobCaps = JOB_CAPS): JobIssue[] {
  const issues: JobIssue[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value;
    return [{ path: [], message: `a job is a JSON object {"mission_id": …, "params": {…}}, not ${kind}` }];
  }
  // Extra root keys: a few small ones pass (producers' metadata), nothing of unbounded size.
  const extra = Object.keys(value).filter((k) => !ROOT_KEYS.has(k));
  if (extra.length > caps.maxExtraRootKeys) {
    issues.push({ path: [], message: `${extra.length} keys besides mission_id and params; at most ${caps.maxExtraRootKeys}` });
  } else {
    let extraBytes = 0;
    for (const k of extra) {
      const v = (value as Record<string, unknown>)[k];
      // Bounded by the text cap (256 KiB) and the depth check that runs first in this walk's callers.
      extraBytes += k.length + (typeof v === 'string' ? v.length : safeJsonLength(v));
      if (extraBytes > caps.maxExtraRootBytes) {
        issues.push({ path: [k], message: `extra root keys take over ${caps.maxExtraRootBytes} bytes; keep producer metadata small` });
        break;
      }
    }
  }

  const stack: Array<{ v: unknown; path: Array<string | number> }> = [{ v: value, path: [] }];
  for (let item = stack.pop(); item !== undefined && issues.length < caps.maxIssues; item = stack.pop()) {
    const { v, path } = item;
    if (typeof v === 'string') {
      if (v.length > caps.maxStringChars) issues.push({ path, message: `text of ${v.length} characters; at most ${caps.maxStringChars}` });
      if (v.includes('\u0000')) issues.push({ path, message: 'contains a NUL character (\\u0000)' });
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (path.length >= caps.maxDepth) {
      issues.push({ path, message: `nested deeper than ${caps.maxDepth} levels` });
      continue;
    }
    if (Array.isArray(v)) {
      if (v.length > caps.maxListItems) {
        issues.push({ path, message: `list of ${v.length} items; at most ${caps.maxListItems}` });
        continue;
      }
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: [...path, i] });
      continue;
    }
    for (const k of Object.keys(v).reverse()) {
      const at = [...path, k];
      if (FORBIDDEN_KEYS.has(k)) issues.push({ path: at, message: 'key not allowed (it would reach an object prototype)' });
      else if (k.includes('\u0000')) issues.push({ path: at, message: 'key contains a NUL character (\\u0000)' });
      else if (k.length > caps.maxKeyChars) issues.push({ path: at, message: `key of ${k.length} characters; at most ${caps.maxKeyChars}` });
      else stack.push({ v: (v as Record<string, unknown>)[k], path: at });
    }
  }
  return issues.slice(0, caps.maxIssues);
}

function safeJsonLength(v: unknown): number {
  try {
    return JSON.stringify(v)?.length ?? 0;
  } catch {
    return Number.POSITIVE_INFINITY; // too deep to serialise: certainly over the cap
  }
}

/**
 * The job text as PostgreSQL can store it: NULs and unpaired surrogates replaced by U+FFFD, cut to
 * `maxChars` with a marker that says how much was dropped.
 */
export function sanitiseJobText(text: string, maxChars: number): string {
  const cut = text.length > maxChars ? text.slice(0, maxChars) : text;
  const clean = replaceUnstorable(cut);
  return text.length > maxChars ? `${clean}…[truncated: kept ${maxChars} of ${text.length} characters]` : clean;
}

/** NUL and unpaired UTF-16 surrogates (PostgreSQL text and jsonb refuse both) -> U+FFFD. */
export function replaceUnstorable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/**
 * A copy of a parsed value that jsonb accepts: strings and keys through `replaceUnstorable`, and
 * anything deeper than `maxDepth` replaced by the string "…" (no recursion limit is reached: the
 * walk is bounded by maxDepth, 32 by default).
 */
export function sanitiseForJson(value: unknown, maxDepth: number = JOB_CAPS.maxDepth): unknown {
  const copy = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return replaceUnstorable(v);
    if (typeof v !== 'object' || v === null) return typeof v === 'number' && !Number.isFinite(v) ? null : v;
    if (depth >= maxDepth) return '…';
    if (Array.isArray(v)) return v.map((x) => copy(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      // defineProperty: a key named __proto__ stays a plain key instead of setting the prototype.
      Object.defineProperty(out, replaceUnstorable(k), { value: copy((v as Record<string, unknown>)[k], depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  return copy(value, 0);
}

/**
 * The mission id of a job that could not be parsed (too large, too deep, not JSON), if the text
 * starts with `{"mission_id": "<id>"`: producers write it first, and the failure can then be recorded
 * on the mission's row. `isId` is the same id check a parsed job passes.
 */
export function leadingMissionId(text: string, isId: (id: string) => boolean): string | undefined {
  const m = /^\s*\{\s*"mission_id"\s*:\s*"([^"\\]{1,128})"/.exec(text.slice(0, 512));
  const id = m?.[1];
  return id !== undefined && isId(id) ? id : undefined;
}
