/** Mission thread entry (src/mission/thread.ts): the coastline raster around a mission. */
import { missionLand } from './land.js';
import { threadError, type LandTask, type MissionThreadResult } from './thread.js';

export default async function runLandTask(task: LandTask): Promise<MissionThreadResult> {
  try {
    return { land: await missionLand(task.model, task.land, task.coastline) };
  } catch (err) {
    return threadError(err);
  }
}
