/** `driftline serve`: the HTTP API and map page (src/api) until SIGTERM/SIGINT. */
import { startApiServer } from '../../api/server.js';
import { loadConfig } from '../../config.js';
import { createLogger } from '../../logger.js';
import { parse } from '../args.js';
import { EXIT, UsageError } from '../errors.js';
import { out } from '../output.js';

const USAGE = `usage: driftline serve

Serves the HTTP API (/missions, /openapi.json, /healthz, /metrics) and the map page (/) on
API_HOST:API_PORT (default 127.0.0.1:8080), on the fleet's Redis, PostgreSQL and S3. Requests need
"Authorization: Bearer <key>" (driftline apikey create); API_AUTH=off disables that for local
development and is refused unless API_HOST is a loopback address.`;

export async function serveCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {}, USAGE);
  if (values.help) {
    out(USAGE);
    return EXIT.OK;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\n\n${USAGE}`);
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'driftline-api');
  const server = await startApiServer(config, logger);
  if (config.API_AUTH === 'off') logger.warn({ host: config.API_HOST }, 'API_AUTH=off: anyone who can reach this loopback address can submit and cancel missions');
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'signal: closing the api');
      resolve();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  await server.close();
  return EXIT.OK;
}
