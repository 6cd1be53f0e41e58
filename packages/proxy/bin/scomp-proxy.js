#!/usr/bin/env node
// A committed launcher, so package managers can link the command before dist/ is built.
import('../dist/node/bin.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist')) {
    process.stderr.write('scomp-proxy: not built yet; run "pnpm build" first\n');
  } else {
    process.stderr.write(`scomp-proxy: ${error?.stack ?? error}\n`);
  }
  process.exit(1);
});
