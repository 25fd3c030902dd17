/**
 * Search planning (issue 8): the public API of the pure probability mathematics. Nothing here does
 * I/O or reads the clock; src/job.ts, src/mission/run.ts and the product writers are to call it.
 */
export { M_PER_NM, M2_PER_NM2, erf, pod, podExponential, podInverseCube, effortNm2, coverageFromEffort, coverageFromSpacing, trackSpacingNm, type DetectionLaw } from './detection.js';
export { equalWeights, normaliseWeights, splitScenarioParticles, splitWeights, driftingAt, driftingBlock, driftingTimes, recordIndexAt, type DriftingParticles, type ScenarioSplit, type Tracks } from './weights.js';
export { localFrame, toXY, toLonLat, type LocalFrame } from './frame.js';
export { weightedCloud, datumOf, type Cloud, type Datum } from './datum.js';
export { kdeMap, kdeFromParticles, cellOfXY, type ProbabilityMap, type KdeOptions } from './kde.js';
export { searchAreas, MIN_PIECE_SHARE, type SearchAreaLevel } from './areas.js';
export { optimiseRectangle, bruteForceRectangle, evaluateRect, rectsOverlap, rectCorners, type Rect, type RectObjective, type RectResult, type Points } from './rectangle.js';
export { planSearch, validateUnit, type SearchUnit, type UnitPlan, type Plan } from './plan.js';
export { bayesUpdate, validateCompleted, recordsInWindow, type CompletedSearch, type BayesResult, type SearchUpdate } from './bayes.js';
export { validateRing, indexRing, ringContains, shareInside, type Ring, type RingIndex } from './polygon.js';
