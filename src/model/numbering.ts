/**
 * OpenDrift's numbering of particles in its output files. At the start of a backward run OpenDrift
 * flips its element IDs (basemodel `run()`, "Flipping ID array, so that lowest IDs are released first")
 * while the elements, and so every random draw, stay in seeding order. Its output row i (trajectory i,
 * element ID i + 1) of a backward run therefore holds the particle seeded last-but-i; forward runs keep
 * the seeding order. driftline's model keeps seeding order everywhere (threads share contiguous ranges
 * of it); products that list particles map rows to particles through these functions.
 */

/** The particle (seeding index) in OpenDrift's output row `row` of an n-particle run. */
export function particleOfRow(row: number, n: number, backward: boolean): number {
  return backward ? n - 1 - row : row;
}

/** True when a run with this signed time step is a backward run (OpenDrift: time_step < 0). */
export function isBackward(timeStepSec: number): boolean {
  return timeStepSec < 0;
}
