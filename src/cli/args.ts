/** Flag parsing on node:util parseArgs, with errors that say which flag is wrong. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

type HelpFlag = { help: { type: 'boolean'; short: 'h' } };
/** What parseArgs returns for `options` plus --help (named so the declaration files can spell it). */
export type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O & HelpFlag; allowPositionals: true; strict: true }>>;

export function parse<O extends Options>(argv: string[], options: O, usage: string): Parsed<O> {
  try {
    const help: HelpFlag = { help: { type: 'boolean', short: 'h' } };
    return parseArgs({ args: argv, options: { ...options, ...help }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${usage}`);
  }
}

/** The single positional argument of a command (a mission id, a job file), or a UsageError saying what was expected. */
export function onePositional(positionals: string[], what: string, usage: string): string {
  const [only, ...more] = positionals;
  if (only === undefined || more.length > 0) throw new UsageError(`expected one ${what}\n\n${usage}`);
  return only;
}

export function numberFlag(value: string | undefined, flag: string, opts: { integer?: boolean; min?: number; max?: number } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${flag}: expected a number, got ${JSON.stringify(value)}`);
  if (opts.integer && !Number.isInteger(n)) throw new UsageError(`--${flag}: expected a whole number, got ${value}`);
  if (opts.min !== undefined && n < opts.min) throw new UsageError(`--${flag}: must be at least ${opts.min}, got ${value}`);
  if (opts.max !== undefined && n > opts.max) throw new UsageError(`--${flag}: must be at most ${opts.max}, got ${value}`);
  return n;
}
