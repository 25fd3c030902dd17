/** Mission thread entry (src/mission/thread.ts): every product, or all but the record files of a split mission. */
import { writeMissionProducts } from './products.js';
import { threadError, type MissionThreadResult, type ProductsTask } from './thread.js';

export default async function runProductsTask(task: ProductsTask): Promise<MissionThreadResult> {
  try {
    return { products: await writeMissionProducts(task.input, (stage) => task.port.postMessage(stage)) };
  } catch (err) {
    return threadError(err);
  } finally {
    task.port.close();
  }
}
