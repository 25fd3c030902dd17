/** Times as every product and message writes them. Pure: no clock here. */

/** `2024-01-01T12:00:00Z` from seconds since the epoch (milliseconds only when there are some). */
export function isoSeconds(sec: number): string {
  return new Date(sec * 1000).toISOString().replace('.000Z', 'Z');
}
