// Builds the browser SDK (player/) with esbuild:
// - ESM: dist/player/esm/{index.js, adapters/html5.js, adapters/hlsjs.js, adapters/dashjs.js}
//   (code shared between entries split into chunks), with source maps;
// - IIFE: dist/player/beacon-edge.iife.js, one file exposing `window.BeaconEdge` (core + adapters);
// - type declarations: dist/player/types/ (TypeScript compiler API), unless { types: false }.
// Returns the minified and gzipped size of the core and of each adapter on its own (everything it
// imports from the SDK left out), which test/player/build.test.ts holds to the size budget.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const playerDir = path.join(root, 'player');

/** Browsers from 2020 on (optional chaining, nullish coalescing, BigInt-free). */
const TARGET = ['es2020'];

/**
 * Size budget of the core, bytes of gzip over the minified bundle. Raised from 8 KiB (which the
 * core had filled to within 18 bytes) when the SDK learned to write three schema versions, to
 * collect schema 1-1-0's fields and to act on the edge's rollout answers (Deprecation and Sunset,
 * 410 reasons).
 */
export const CORE_BUDGET_GZIP = 9.5 * 1024;

/** Entry points: output name → source. */
const ENTRIES = {
  index: path.join(playerDir, 'index.ts'),
  'adapters/html5': path.join(playerDir, 'adapters', 'html5.ts'),
  'adapters/hlsjs': path.join(playerDir, 'adapters', 'hlsjs.ts'),
  'adapters/dashjs': path.join(playerDir, 'adapters', 'dashjs.ts'),
};

const common = {
  bundle: true,
  target: TARGET,
  platform: 'browser',
  legalComments: 'none',
  logLevel: 'silent',
};

/** Minified and gzipped bytes of a code string. */
function sizes(code) {
  const min = Buffer.byteLength(code);
  return { min, gzip: zlib.gzipSync(code, { level: 9 }).length };
}

/** Bundles one entry alone, minified; every other SDK module it imports stays external. */
async function measure(entry, { alone }) {
  const plugins = alone
    ? [
        {
          name: 'sdk-external',
          setup(build) {
            build.onResolve({ filter: /^\./ }, (args) =>
              args.importer ? { path: args.path, external: true } : undefined,
            );
          },
        },
      ]
    : [];
  const out = await esbuild.build({
    ...common,
    entryPoints: [entry],
    format: 'esm',
    minify: true,
    write: false,
    plugins,
  });
  return sizes(out.outputFiles[0].text);
}

/** Writes .d.ts files for the public entries with the TypeScript compiler. */
async function emitTypes(outDir) {
  const ts = (await import('typescript')).default;
  const program = ts.createProgram([...Object.values(ENTRIES), path.join(playerDir, 'iife.ts')], {
    declaration: true,
    emitDeclarationOnly: true,
    outDir,
    rootDir: root,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    strict: true,
    skipLibCheck: true,
    types: [],
  });
  const res = program.emit();
  const errors = ts
    .getPreEmitDiagnostics(program)
    .concat(res.diagnostics)
    .filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length) {
    throw new Error(
      `player types: ${ts.formatDiagnostics(errors.slice(0, 5), { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' })}`,
    );
  }
}

/**
 * Builds the SDK.
 * @param {{ outDir?: string, types?: boolean }} [options] outDir defaults to dist/player.
 * @returns {Promise<{ outDir: string, core: {min:number,gzip:number}, html5: {min:number,gzip:number}, hlsjs: {min:number,gzip:number}, dashjs: {min:number,gzip:number}, iife: {min:number,gzip:number} }>}
 */
export async function buildPlayer({
  outDir = path.join(root, 'dist', 'player'),
  types = true,
} = {}) {
  fs.rmSync(outDir, { recursive: true, force: true });
  await esbuild.build({
    ...common,
    entryPoints: ENTRIES,
    outdir: path.join(outDir, 'esm'),
    format: 'esm',
    splitting: true,
    minify: true,
    sourcemap: true,
    chunkNames: 'chunks/[name]-[hash]',
  });
  const iifeFile = path.join(outDir, 'beacon-edge.iife.js');
  await esbuild.build({
    ...common,
    entryPoints: [path.join(playerDir, 'iife.ts')],
    outfile: iifeFile,
    format: 'iife',
    globalName: 'BeaconEdge',
    minify: true,
    sourcemap: true,
  });
  if (types) await emitTypes(path.join(outDir, 'types'));
  const result = {
    outDir,
    core: await measure(ENTRIES.index, { alone: false }),
    html5: await measure(ENTRIES['adapters/html5'], { alone: true }),
    hlsjs: await measure(ENTRIES['adapters/hlsjs'], { alone: true }),
    dashjs: await measure(ENTRIES['adapters/dashjs'], { alone: true }),
    iife: sizes(fs.readFileSync(iifeFile, 'utf8')),
  };
  fs.writeFileSync(path.join(outDir, 'sizes.json'), `${JSON.stringify(result, null, 2)}\n`);
  if (result.core.gzip > CORE_BUDGET_GZIP) {
    throw new Error(
      `player core is ${result.core.gzip} B min+gzip, over the ${CORE_BUDGET_GZIP} B budget`,
    );
  }
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildPlayer()
    .then((r) => {
      for (const k of ['core', 'html5', 'hlsjs', 'dashjs', 'iife'])
        console.log(`${k.padEnd(7)} ${r[k].min} B min, ${r[k].gzip} B gzip`);
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
