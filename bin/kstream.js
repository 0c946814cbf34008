#!/usr/bin/env -S node --max-semi-space-size=64 --heap-growing-percent=25
// The kstream command: runs the compiled CLI (npm ci / npm run build produce dist/).
// A larger young generation lets the many short-lived objects of stream processing die young
// (about +10-15% throughput on wordcount); the old generation grows by 25% over what survived the
// last full GC instead of up to 4x (V8's default on a large machine), which kept a Kafka worker's
// RSS at ~3x its live heap; `node bin/kstream.js` works too, without them.
// `kstream run` runs the application in a child process under a small supervisor (see
// src/cli/supervise.ts), which starts before the rest of the CLI is loaded.

/** Imports a module of the compiled CLI; a checkout whose dist/ or node_modules is missing or outdated gets one line, not a stack trace. */
async function compiled(path) {
  try {
    return await import(path);
  } catch (e) {
    if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes('/dist/')) throw e;
    const why = String(e.message).split('\n')[0];
    process.stderr.write(`kstream: error: cannot load the compiled CLI (${why}): run \`npm ci\` (installs the dependencies and builds dist/)\n`);
    process.exit(1);
  }
}

const { isSupervisedRun, runSupervised } = await compiled('../dist/cli/supervise.js');
const args = process.argv.slice(2);
if (isSupervisedRun(args)) process.exit(await runSupervised(args));
const { main } = await compiled('../dist/cli/main.js');
process.exit(await main(process.argv));
