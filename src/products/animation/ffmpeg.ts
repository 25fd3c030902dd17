/**
 * Raw RGBA frames piped to an ffmpeg (the system's, or the optional packaged one: locateFfmpeg) that encodes H.264 (libx264, yuv420p, +faststart) into an
 * MP4. Backpressure: a frame is written only after the pipe drained the previous one, so at most one
 * frame (3.7 MB at 1280 × 720) waits in Node while ffmpeg encodes in its own process. ffmpeg's stderr
 * is kept (last 8 KiB) and put into the error if it fails.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DriftlineError } from '../../errors.js';

/** Where ffmpeg may be named (the process config's FFMPEG_PATH; products take the value, not the config). */
export interface FfmpegSetting {
  FFMPEG_PATH?: string | undefined;
}

export type FfmpegChoice =
  | { path: string; source: 'FFMPEG_PATH' | 'PATH' | 'package' }
  | { path: null; warning: string };

/** The optional npm package that ships a static ffmpeg (with libx264) inside its tarball. */
const PACKAGED_FFMPEG = '@ffmpeg-installer/linux-x64';

function isExecutableFile(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The packaged binary's path when the optional package is installed (Linux x64 only), else null. */
export function packagedFfmpegPath(): string | null {
  if (process.platform !== 'linux' || process.arch !== 'x64') return null;
  try {
    const pkgJson = createRequire(import.meta.url).resolve(`${PACKAGED_FFMPEG}/package.json`);
    return path.join(path.dirname(pkgJson), 'ffmpeg');
  } catch {
    return null; // optional dependency not installed
  }
}

const libx264Cache = new Map<string, boolean>();
/** Whether `ffmpeg -encoders` lists libx264 (cached per path: ~0.1 s per call). */
export function hasLibx264(ffmpegPath: string): boolean {
  const cached = libx264Cache.get(ffmpegPath);
  if (cached !== undefined) return cached;
  const r = spawnSync(ffmpegPath, ['-hide_banner', '-encoders'], { encoding: 'utf8', timeout: 10_000 });
  const ok = r.status === 0 && /^\s*V\S*\s+libx264\s/m.test(r.stdout);
  libx264Cache.set(ffmpegPath, ok);
  return ok;
}

/**
 * The ffmpeg to use, in this order: FFMPEG_PATH when set (returned even if it does not exist, so that a
 * wrong setting fails loudly instead of silently using another binary); else the first executable
 * `ffmpeg` on PATH (the system's, with its own codecs and updates); else the binary of the optional
 * @ffmpeg-installer/linux-x64 package, if it is executable and lists libx264. Otherwise no path and
 * one warning saying why and what to do. `packaged` overrides the package's path (tests).
 */
export function locateFfmpeg(config: FfmpegSetting, opts: { packaged?: string | null } = {}): FfmpegChoice {
  if (config.FFMPEG_PATH) return { path: config.FFMPEG_PATH, source: 'FFMPEG_PATH' };
  const names = process.platform === 'win32' ? ['ffmpeg.exe', 'ffmpeg'] : ['ffmpeg'];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (isExecutableFile(candidate)) return { path: candidate, source: 'PATH' };
    }
  }
  const packaged = opts.packaged !== undefined ? opts.packaged : packagedFfmpegPath();
  if (packaged === null || !isExecutableFile(packaged)) {
    return {
      path: null,
      warning: `animation skipped: no ffmpeg found (none on PATH, FFMPEG_PATH unset, optional package ${PACKAGED_FFMPEG} not installed); install ffmpeg or set FFMPEG_PATH`,
    };
  }
  if (!hasLibx264(packaged)) {
    return {
      path: null,
      warning: `animation skipped: the packaged ffmpeg (${PACKAGED_FFMPEG}) does not list the libx264 encoder; install ffmpeg or set FFMPEG_PATH`,
    };
  }
  return { path: packaged, source: 'package' };
}

/** locateFfmpeg's path, or null when there is none. */
export function findFfmpeg(config: FfmpegSetting): string | null {
  return locateFfmpeg(config).path;
}

export interface EncoderOptions {
  ffmpegPath: string;
  width: number;
  height: number;
  fps: number;
  outPath: string;
  /**
   * x264 preset; 'veryfast' encodes 49 frames of 1280 × 720 map in ~1 s on one core. Measured against
   * 'superfast' in the pipeline (ANIM_BENCH_N=1000 ANIM_BENCH_NT=25 bench/animation.bench.mjs, quiet,
   * 2026-12-04, 2 runs each): encoder wait 170–206 vs 152–187 ms, file 509 vs 780 KiB; and standalone on
   * the same 25 raw frames, tune stillimage/animation and ultrafast were no faster: kept veryfast.
   */
  preset?: string;
  /** x264 constant rate factor; 23 is x264's default, visually clean for flat map colours. */
  crf?: number;
  metadata?: Record<string, string>;
}

const STDERR_KEEP_BYTES = 8192;

export class FfmpegEncoder {
  private readonly child: ChildProcess;
  private readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private spawnError: NodeJS.ErrnoException | null = null;
  private stderrTail = '';
  private ended = false;

  constructor(private readonly o: EncoderOptions) {
    const meta = Object.entries(o.metadata ?? {}).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]);
    const args = [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgba',
      '-s',
      `${o.width}x${o.height}`,
      '-r',
      String(o.fps),
      '-i',
      '-',
      '-an',
      '-c:v',
      'libx264',
      '-preset',
      o.preset ?? 'veryfast',
      '-crf',
      String(o.crf ?? 23),
      '-pix_fmt',
      'yuv420p',
      '-movflags',
      '+faststart',
      ...meta,
      '-f',
      'mp4',
      o.outPath,
    ];
    this.child = spawn(o.ffmpegPath, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.closed = new Promise((resolve) => {
      this.child.once('error', (err: NodeJS.ErrnoException) => {
        this.spawnError = err;
        resolve({ code: null, signal: null });
      });
      this.child.once('close', (code, signal) => resolve({ code, signal }));
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_KEEP_BYTES);
    });
    // EPIPE when ffmpeg dies early: the exit status and stderr tell why, reported by write/finish.
    this.child.stdin?.on('error', () => {});
  }

  /** Queue one frame (width × height × 4 bytes); resolves when the buffer may be reused. */
  async write(frame: Uint8Array): Promise<void> {
    const stdin = this.child.stdin;
    if (this.ended || !stdin) throw new Error('animation: frame written after finish()');
    if (frame.byteLength !== this.o.width * this.o.height * 4) {
      throw new RangeError(`animation: frame has ${frame.byteLength} bytes, expected ${this.o.width * this.o.height * 4}`);
    }
    if (this.spawnError || stdin.destroyed) throw this.failure(await this.closed);
    if (!stdin.write(frame)) {
      // 'drain', or the pipe broke / ffmpeg exited: then its exit status and stderr say why.
      const drained = await Promise.race([
        once(stdin, 'drain').then(
          () => true,
          () => false,
        ),
        this.closed.then(() => false),
      ]);
      if (!drained) throw this.failure(await this.closed);
    }
  }

  /** Close ffmpeg's input and wait for the file; throws with ffmpeg's own message if it failed. */
  async finish(): Promise<void> {
    this.ended = true;
    this.child.stdin?.end();
    const outcome = await this.closed;
    if (this.spawnError || outcome.code !== 0) throw this.failure(outcome);
  }

  /** Stop ffmpeg (after an error elsewhere); the partial file is the caller's to remove. */
  abort(): void {
    this.ended = true;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private failure(outcome: { code: number | null; signal: NodeJS.Signals | null }): DriftlineError {
    if (this.spawnError) {
      const e = this.spawnError;
      return new DriftlineError(
        'E_CONFIG',
        `FFMPEG_PATH: cannot run ffmpeg at "${this.o.ffmpegPath}" (${e.code ?? e.message}); set FFMPEG_PATH to an ffmpeg binary or put ffmpeg on PATH`,
        { field: 'FFMPEG_PATH', cause: e },
      );
    }
    const how = outcome.signal ? `was killed by ${outcome.signal}` : `exited with code ${outcome.code}`;
    const tail = this.stderrTail.trim() || '(no output on stderr)';
    return new DriftlineError('E_INTERNAL', `ffmpeg ${how} while encoding ${this.o.outPath}: ${tail}`);
  }
}
