/** Types of scripts/build-origin-request.mjs (a plain .mjs build step), for the CDK app. */
import type { EdgeConfig } from '../edge/config.js';

/** Bundles the origin-request handler to `outfile` with `config` compiled in. */
export declare function buildOriginRequest(opts?: {
  config?: EdgeConfig;
  outfile?: string;
}): Promise<{ outfile: string; bytes: number }>;
