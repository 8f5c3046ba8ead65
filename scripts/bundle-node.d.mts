/** Types of scripts/bundle-node.mjs (a plain .mjs build step), for the CDK app. */
import type { BuildOptions } from 'esbuild';

/** Bundles one TypeScript entry into a single ES module for Node 20, npm packages left as imports. */
export declare function bundleNode(entry: string, outfile: string): Promise<string>;

/** esbuild options every Lambda bundle shares (the origin-request handler, the consumer). */
export declare const LAMBDA_BUNDLE_OPTIONS: Readonly<BuildOptions>;
