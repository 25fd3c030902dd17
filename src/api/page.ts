/** The map page (GET /) and its bundled assets from dist/web/ (placeholder until the page lands). */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';

export function registerPage(_app: FastifyInstance, _config: Config): void {}
