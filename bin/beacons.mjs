#!/usr/bin/env node
// The `beacons` command. The real code is the bundle dist/cli.mjs (built from local/cli.ts by
// `npm run build`); this shim only finds it and explains what to do when it is missing.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.mjs', import.meta.url);
if (!existsSync(cli)) {
  console.error('beacons: dist/cli.mjs is missing. Run "npm run build" (or "npm install") first.');
  process.exit(1);
}
const { main } = await import(cli.href);
process.exit(await main(process.argv.slice(2)));
