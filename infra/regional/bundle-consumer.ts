/**
 * Bundles the consumer Lambda (`core-pipeline/lambda/main.ts`) with esbuild into one ES module,
 * the AWS SDK and Powertools inside (versions pinned by the lockfile, not the runtime's copy).
 * The consumer imports only the AWS-side sinks: a bundle that pulls in DuckDB (a native module of
 * the local stack) is refused, since it could not load on Lambda.
 */
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { buildSync } from 'esbuild';
import { LAMBDA_BUNDLE_OPTIONS } from '../../scripts/bundle-node.mjs';

/**
 * The repository: the first folder above this module that holds `core-pipeline/`. Found by walking
 * up because the CDK app runs this file bundled into `cdk.out/`, not from `infra/regional/`.
 */
function repositoryRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'core-pipeline', 'lambda'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no core-pipeline/ above ${from}`);
  }
}

const root = repositoryRoot(path.dirname(fileURLToPath(import.meta.url)));

/** The consumer's entry point (exports `handler`). */
export const CONSUMER_ENTRY = path.join(root, 'core-pipeline', 'lambda', 'main.ts');

/** File name of the bundle inside the asset; the function's handler is `index.handler`. */
const CONSUMER_BUNDLE_FILE = 'index.mjs';

/** Packages that must never reach the Lambda bundle (left external so they can be detected, not bundled). */
const FORBIDDEN_PACKAGES = ['@duckdb/*'];

/** Thrown when the bundle would pull in a package that cannot run on Lambda. */
export class ForbiddenBundleImportError extends Error {
  constructor(
    readonly entry: string,
    readonly imports: string[],
  ) {
    super(`consumer bundle of ${entry} imports ${imports.join(', ')}: DuckDB is the local stack's`);
    this.name = 'ForbiddenBundleImportError';
  }
}

/** Options of {@link bundleConsumer}. */
export interface BundleConsumerOptions {
  /** Directory the bundle is written to (CDK's asset staging directory). */
  outdir: string;
  /** Entry file; {@link CONSUMER_ENTRY} unless set. */
  entry?: string;
}

/**
 * Bundles the consumer into `<outdir>/index.mjs`.
 * @returns the bundle's path and size, the files esbuild read and the imports left for run time
 *   (Node built-ins only)
 * @throws ForbiddenBundleImportError when the bundle would import a package at run time (DuckDB)
 * @example bundleConsumer({ outdir: '/tmp/consumer' }) // → { outfile: '/tmp/consumer/index.mjs', … }
 */
export function bundleConsumer(opts: BundleConsumerOptions): {
  outfile: string;
  bytes: number;
  inputs: string[];
  imports: string[];
} {
  const entry = opts.entry ?? CONSUMER_ENTRY;
  const outfile = path.join(opts.outdir, CONSUMER_BUNDLE_FILE);
  const result = buildSync({
    entryPoints: [entry],
    outfile,
    ...LAMBDA_BUNDLE_OPTIONS,
    metafile: true,
    external: FORBIDDEN_PACKAGES,
  });
  const inputs = Object.keys(result.metafile.inputs);
  const imports = [
    ...new Set(
      Object.values(result.metafile.outputs)
        .flatMap((o) => o.imports)
        .filter((i) => i.external)
        .map((i) => i.path),
    ),
  ];
  const forbidden = imports.filter((i) => !isNodeBuiltin(i));
  if (forbidden.length > 0) {
    fs.rmSync(outfile, { force: true });
    throw new ForbiddenBundleImportError(entry, forbidden);
  }
  return { outfile, bytes: fs.statSync(outfile).size, inputs, imports };
}

function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0] ?? '');
}

/**
 * The consumer as Lambda code: CDK calls the local bundler at synth and hashes the output, so an
 * unchanged bundle is not uploaded again. Docker is never used (the image is a placeholder CDK
 * requires; local bundling always succeeds or throws).
 */
export function consumerCode(entry: string = CONSUMER_ENTRY): Code {
  return Code.fromAsset(path.dirname(entry), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs22.x'),
      local: {
        tryBundle(outputDir: string): boolean {
          bundleConsumer({ outdir: outputDir, entry });
          return true;
        },
      },
    },
  });
}
