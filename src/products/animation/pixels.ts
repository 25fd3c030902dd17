/**
 * The one pixel operation the frame layers share: blend an RGBA pixel towards a colour.
 */

/**
 * Blend the pixel starting at byte `o` of an RGBA buffer towards (r, g, b) by `alpha` in [0, 1], in
 * place; its alpha byte is left alone. Callers pass pixel starts inside the buffer, so the reads are in
 * bounds and `?? 0` only satisfies the type (an in-bounds typed-array read is never undefined).
 */
export function blendRgb(out: Uint8Array, o: number, r: number, g: number, b: number, alpha: number): void {
  const r0 = out[o] ?? 0;
  const g0 = out[o + 1] ?? 0;
  const b0 = out[o + 2] ?? 0;
  out[o] = r0 + (r - r0) * alpha;
  out[o + 1] = g0 + (g - g0) * alpha;
  out[o + 2] = b0 + (b - b0) * alpha;
}
