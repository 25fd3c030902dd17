/** Printing: data to stdout, messages to stderr; `--json` prints one JSON document. */

let brokenPipeHandled = false;

/**
 * `driftline status <id> | head -1`: the reader leaves after one line and the next write fails with
 * EPIPE, which Node raises as an unhandled 'error' event (a stack trace, exit 1). The reader chose to
 * stop reading: exit at once and quietly, with the exit code decided so far. Worker logs go through
 * pino, which already drops its output on EPIPE and keeps the worker running.
 */
export function exitQuietlyOnBrokenPipe(): void {
  if (brokenPipeHandled) return;
  brokenPipeHandled = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
}

export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function err(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function printJson(value: unknown): void {
  out(JSON.stringify(value, null, 2));
}

/** A plain left-aligned table (no colours: output is read by people and grep alike). */
export function printTable(header: string[], rows: Array<Array<string | number | null | undefined>>): void {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  for (const r of cells) out(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  '));
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

export function iso(d: Date | null | undefined): string | null {
  return d ? d.toISOString() : null;
}
