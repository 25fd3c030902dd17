/** `driftline retry <mission_id>`: move the mission's dead letter back to the queue. */
import { resetMissionForRetry } from '../../db/queries/index.js';
import { onePositional, parse } from '../args.js';
import { EXIT } from '../errors.js';
import { err, out } from '../output.js';
import { withServices } from '../services.js';

const USAGE = `usage: driftline retry <mission_id>

Moves the mission's dead letter (the raw job as it was pushed) from <queue>:dead to the tail of the
queue, and sets its row back to queued with a fresh MAX_ATTEMPTS budget.`;

export async function retryCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parse(argv, {}, USAGE);
  if (v.help) {
    out(USAGE);
    return EXIT.OK;
  }
  const id = onePositional(positionals, 'mission id', USAGE);
  return withServices(async (s) => {
    // Row first: if the worker took the job before the row was reset, the reset would clobber its claim.
    try {
      await resetMissionForRetry(s.pool, id);
    } catch (e) {
      err(`warning: mission row not reset (${(e as Error).message}); the worker resets it when it takes the job`);
    }
    const queue = await s.queue();
    const raw = await queue.retryDead(id);
    if (raw === null) {
      err(`mission ${id}: no dead letter in ${queue.keys.dead} (see: driftline queue peek --dead)`);
      return EXIT.FAILED;
    }
    out(`mission ${id}: back in ${s.config.QUEUE_NAME}`);
    return EXIT.OK;
  });
}
