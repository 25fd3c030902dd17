/**
 * pino, as src/logger.ts imports it. The build (scripts/bundle-vendor.mjs, after tsc) replaces
 * dist/vendor/pino.js by a single-file bundle: pino and the packages it loads are ~25 CommonJS files,
 * each read, lexed for its exports and wrapped by Node's ES module loader. Importing the package took
 * 35 ms over a bare `node` against 19.5 ms for the bundle (hyperfine, 25 runs each, 2-core machine,
 * 2026-12-05), paid by every `driftline` command. driftline uses no pino transport (their worker files
 * are found next to pino's own and would not be in a bundle): logs go to stdout, or to stderr through
 * pino.destination.
 */
export { pino, type Logger } from 'pino';
