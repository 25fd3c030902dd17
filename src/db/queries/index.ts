/** Every SQL statement driftline runs, one verb-named file each, all parameterised. */
export { cancelRunningMission } from './cancelRunningMission.js';
export { claimMission, type ClaimResult } from './claimMission.js';
export { completeMission, type CompletionReport } from './completeMission.js';
export { countMissionsByStatus } from './countMissionsByStatus.js';
export { failMission, type FailureRecord } from './failMission.js';
export { findStaleMissions } from './findStaleMissions.js';
export { getMission } from './getMission.js';
export { getMissionResults } from './getMissionResults.js';
export { insertQueuedMission } from './insertQueuedMission.js';
export { insertRejectedJob, type RejectedJobRecord } from './insertRejectedJob.js';
export { listMissions } from './listMissions.js';
export { listRejectedJobs, type RejectedJobRow } from './listRejectedJobs.js';
export { recordAttemptError } from './recordAttemptError.js';
export { requeueMission } from './requeueMission.js';
export { requeueStaleMission } from './requeueStaleMission.js';
export { resetMissionForRetry } from './resetMissionForRetry.js';
export { updateMissionProgress, type ProgressAnswer } from './updateMissionProgress.js';
export * from './types.js';
