/** Frames of a written MP4, decoded by the real ffmpeg, for tests that check what a coordinator sees. */
import { execFileSync } from 'node:child_process';

/** Frame k (0-based) of `file` as W × H × 3 RGB bytes, decoded with `ffmpegPath`. */
export function decodeFrameRgb(ffmpegPath: string, file: string, k: number, width: number, height: number): Buffer {
  return execFileSync(ffmpegPath, ['-v', 'error', '-i', file, '-vf', `select=eq(n\\,${k})`, '-vframes', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
    maxBuffer: width * height * 3 + 1024,
  });
}
