/**
 * Element i of an array in a test: the element itself, or the test fails here with the index and the
 * length (a test that indexes claims the element exists; `arr[i]!` would fail later and less clearly).
 */
export function at<T>(values: ArrayLike<T>, i: number): T {
  const v = values[i];
  if (v === undefined) throw new Error(`no element ${i} in an array of ${values.length}`);
  return v;
}
