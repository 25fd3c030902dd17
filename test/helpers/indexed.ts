/**
 * Element reads for tests under noUncheckedIndexedAccess: a test reads what it expects to be there, so
 * a missing element is a failure with the index in its message, not an `undefined` that some later
 * assertion trips over (or a `!` that hides it).
 */

/** a[i], or throws a RangeError naming i when a has no element there. */
export function at<T>(a: ArrayLike<T>, i: number): T {
  const v = a[i];
  if (v === undefined) throw new RangeError(`no element ${i}: length ${a.length}`);
  return v;
}
