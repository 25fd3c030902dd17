#!/usr/bin/env node
/** The `driftline` executable (package bin). All logic is in cli.ts; this sets the exit code only. */
// driftline targets Node 20 (the brief's stack); the AWS SDK's notice that *future* SDK releases will
// need Node 22 would otherwise be printed by every command that touches S3.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { main } = await import('./cli.js');
process.exitCode = await main(process.argv.slice(2));
