/**
 * Waiting in tests: on a condition, with a deadline, never for a fixed time. A fixed sleep is either
 * too short on a loaded machine (flaky) or too long everywhere (slow); a poll returns as soon as the
 * thing has happened and names what did not happen when it times out.
 */

/** Poll `fn` until it returns a truthy value (every `intervalMs`), or throw after `timeoutMs` naming `what`. */
export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
