#!/usr/bin/env node
// Runs the compiled CLI: `npm run build` (run by `npm install` in a clone) writes dist; the package ships it.
try {
  await import('../dist/cli/cli.js');
} catch (err) {
  const missing = err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/cli.js');
  if (!missing) throw err;
  process.stderr.write('shenpi: dist/ is missing; run `npm run build` first\n');
  process.exit(1);
}
