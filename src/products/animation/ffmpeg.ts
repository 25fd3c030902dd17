/**
 * Raw RGBA frames piped to a system ffmpeg that encodes H.264 (libx264, yuv420p, +faststart) into an
 * MP4. Backpressure: a frame is written only after the pipe drained the previous one, so at most one
 * frame (3.7 MB at 1280 × 720) waits in Node while ffmpeg encodes in its own process. ffmpeg's stderr
 * is kept (last 8 KiB) and put into the error if it fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { DriftlineError } from '../../errors.js';

export interface EncoderOptions {
  ffmpegPath: string;
  width: number;
  height: number;
  fps: number;
  outPath: string;
  /** x264 preset; 'veryfast' encodes 49 frames of 1280 × 720 map in ~1 s on one core. */
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
