/** Mission thread entry (src/mission/thread.ts): one picture of a small mission, or only its code loaded (no input). */
import { drawMissionPictures } from './pictures.js';
import { threadError, type MissionThreadResult, type PicturesTask } from './thread.js';

export default async function runPicturesTask(task: PicturesTask): Promise<MissionThreadResult> {
  try {
    return { pictures: task.input === null ? null : await drawMissionPictures(task.input) };
  } catch (err) {
    return threadError(err);
  }
}
