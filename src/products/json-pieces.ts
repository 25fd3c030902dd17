/**
 * JSON text in pieces, the same characters as JSON.stringify(value) (or JSON.stringify(value, null,
 * space)), for products too large to hold as one string. The pieces are cut along the structure: the
 * containers down to `depth` levels are opened member by member, each value below that is one
 * JSON.stringify call, and a `lazyArray` in an opened container is written element by element as its
 * generator makes them, so a FeatureCollection's features need never exist all at once. A lazy array
 * inside a value written whole is an error (JSON.stringify would write it `{}`): open its containers.
 *
 * Same text as JSON.stringify: members in Object.keys order, members whose value JSON.stringify leaves
 * out (undefined, functions, symbols) left out, such array elements written `null`, empty containers
 * as `{}` / `[]`, and with `space` each level indented by it on its own line. Only plain objects and
 * arrays are opened; any other value (a Date, a typed array, anything with toJSON) is one
 * JSON.stringify call, whose toJSON is then called with the key '' rather than its member name (no
 * product's value reads that key).
 */

const LAZY = Symbol('lazy JSON array');

/** An array written element by element from a generator, by jsonPieces only. */
export interface LazyArray<T> {
  readonly [LAZY]: () => Iterable<T>;
  /** Called by JSON.stringify, which cannot write it: throws. */
  toJSON(): never;
}

export function lazyArray<T>(items: () => Iterable<T>): LazyArray<T> {
  return {
    [LAZY]: items,
    toJSON() {
      throw new TypeError('a lazy array can only be written by jsonPieces, in a container it opens (raise its depth)');
    },
  };
}

function isLazy(v: unknown): v is LazyArray<unknown> {
  return typeof v === 'object' && v !== null && LAZY in v;
}

/** A plain object or array without toJSON: what is opened member by member. */
function isOpenable(v: unknown): v is Record<string, unknown> | unknown[] {
  if (typeof v !== 'object' || v === null) return false;
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
  if (Array.isArray(v)) return true;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** `value` as JSON.stringify writes it at an indentation of `indent` (undefined: left out). */
function whole(value: unknown, indent: string, gap: string): string | undefined {
  const text = JSON.stringify(value, null, gap) as string | undefined;
  // JSON escapes line feeds inside strings, so every "\n" in the text is a line break of the layout.
  return text === undefined || indent === '' || gap === '' ? text : text.replace(/\n/g, `\n${indent}`);
}

/** The elements of an array (plain or lazy), each as its pieces; `null` for what JSON.stringify leaves out. */
function* arrayPieces(items: Iterable<unknown>, indent: string, gap: string, depth: number): Generator<string> {
  const inner = indent + gap;
  const sep = gap === '' ? ',' : `,\n${inner}`;
  let first = true;
  for (const item of items) {
    const lead = first ? (gap === '' ? '[' : `[\n${inner}`) : sep;
    first = false;
    if (isLazy(item) || (depth > 0 && isOpenable(item))) {
      yield lead;
      yield* valuePieces(item, inner, gap, depth - 1);
    } else yield lead + (whole(item, inner, gap) ?? 'null');
  }
  yield first ? '[]' : gap === '' ? ']' : `\n${indent}]`;
}

function* objectPieces(obj: Record<string, unknown>, indent: string, gap: string, depth: number): Generator<string> {
  const inner = indent + gap;
  const colon = gap === '' ? ':' : ': ';
  let first = true;
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    const open = isLazy(v) || (depth > 0 && isOpenable(v));
    const text = open ? '' : whole(v, inner, gap);
    if (!open && text === undefined) continue;
    const lead = `${first ? (gap === '' ? '{' : `{\n${inner}`) : gap === '' ? ',' : `,\n${inner}`}${JSON.stringify(key)}${colon}`;
    first = false;
    if (open) {
      yield lead;
      yield* valuePieces(v, inner, gap, depth - 1);
    } else yield lead + text;
  }
  yield first ? '{}' : gap === '' ? '}' : `\n${indent}}`;
}

function* valuePieces(value: unknown, indent: string, gap: string, depth: number): Generator<string> {
  if (isLazy(value)) yield* arrayPieces(value[LAZY](), indent, gap, depth);
  else if (depth >= 0 && isOpenable(value)) {
    if (Array.isArray(value)) yield* arrayPieces(value, indent, gap, depth);
    else yield* objectPieces(value, indent, gap, depth);
  } else {
    const text = whole(value, indent, gap);
    if (text === undefined) throw new TypeError('jsonPieces: the value has no JSON text (undefined, a function or a symbol)');
    yield text;
  }
}

/**
 * JSON.stringify(value, null, space) in pieces: `depth` levels of plain containers are opened (1: the
 * top object's members are separate pieces), and every lazy array met in them.
 */
export function jsonPieces(value: unknown, opts: { space?: number; depth?: number } = {}): Generator<string> {
  return valuePieces(value, '', ' '.repeat(Math.min(10, opts.space ?? 0)), (opts.depth ?? 1) - 1);
}
