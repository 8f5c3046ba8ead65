// One build for everything that runs: validators, edge bundles, the CLI, the player SDK and the
// static demo page.
// Runs on `npm install` (prepare), before `npm start`, `npm test` and `npm run bench`.
// Output goes to dist/ and schemas/generated/ (never committed).
import { fileURLToPath } from 'node:url';
import { buildValidators } from './build-validators.mjs';

const steps = [
  ['validators', () => buildValidators()],
  [
    'viewer-request function',
    async () => (await import('./build-viewer-request.mjs')).buildViewerRequest(),
  ],
  [
    'origin-request handler',
    async () => (await import('./build-origin-request.mjs')).buildOriginRequest(),
  ],
  ['cli', async () => (await import('./build-cli.mjs')).buildCli()],
  ['player sdk', async () => (await import('./build-player.mjs')).buildPlayer()],
  ['dashboard page script', async () => (await import('./build-dashboard.mjs')).buildDashboard()],
  ['demo page (static, dist/demo)', async () => (await import('../demo/build.mjs')).buildDemo()],
];

async function buildAll() {
  for (const [name, step] of steps) {
    const t0 = performance.now();
    await step();
    console.log(`built ${name} in ${(performance.now() - t0).toFixed(0)} ms`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildAll().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
