/** Mission thread entry (src/mission/thread.ts): particles.nc and leeway.txt of a split mission. */
import { writeMissionRecordFiles } from './record-files.js';
import { threadError, type MissionThreadResult, type RecordFilesTask } from './thread.js';

export default async function runRecordFilesTask(task: RecordFilesTask): Promise<MissionThreadResult> {
  try {
    return { recordFiles: await writeMissionRecordFiles(task.input) };
  } catch (err) {
    return threadError(err);
  }
}
