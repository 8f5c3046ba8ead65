/** Types of scripts/build-viewer-request.mjs (a plain .mjs build step), for the CDK app. */
import type { EdgeConfig } from '../edge/config.js';

/** CloudFront's maximum function size (code as uploaded). */
export declare const MAX_FUNCTION_BYTES: number;

/** Builds the viewer-request CloudFront Function to `outfile` with `config` compiled in. */
export declare function buildViewerRequest(opts?: {
  config?: Partial<EdgeConfig>;
  outfile?: string;
}): Promise<{ outfile: string; bytes: number }>;
