/**
 * zod, as every module of driftline imports it. The build (scripts/bundle-vendor.mjs, after tsc)
 * replaces dist/vendor/zod.js by a single-file bundle of the same export: zod 4 is ~95 ES modules
 * (its core re-exports every locale), and Node 20 loaded them in 46-55 ms against 19-27 ms for the one
 * file (`node -e` import timing, 2-core machine, 3 runs each) — paid by every `driftline` command,
 * since the job schema and the configuration are zod schemas. Sources (vitest, tsx) use zod itself.
 */
export { z } from 'zod';
