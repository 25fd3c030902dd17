#!/usr/bin/env node
/** The `driftline` executable (package bin). All logic is in cli.ts; this sets the exit code only. */
import module from 'node:module';

// driftline targets Node 20 (the brief's stack); the AWS SDK's notice that *future* SDK releases will
// need Node 22 would otherwise be printed by every command that touches S3.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Node 22.1+ (the Docker image): V8 keeps the compiled code of every module this process loads in
// Node's default $TMPDIR/node-compile-cache (as TypeScript's own tsc does), so a later command skips
// compiling it: the side-by-side case's `driftline run` 2.02 -> 1.95 s median on Node 22.23.5 (5 alternating
// rounds). Enabled before cli.js and its imports load; Node 20 has no such cache (the method is absent
// there). A cache directory that cannot be written is reported in the returned status, not thrown, and
// the command runs as without it.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const { main } = await import('./cli.js');
process.exitCode = await main(process.argv.slice(2));
