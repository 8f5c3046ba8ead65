/** Types of demo/build.mjs (a plain .mjs build step, like the scripts/ steps). */

/** Page files of the static demo: output path → source, relative to the repository root. */
export declare const PAGE_FILES: Readonly<Record<string, string>>;

/** Writes the static demo (page, vendor scripts, media) to `outDir` (default dist/demo). */
export declare function buildDemo(options?: {
  outDir?: string;
  repoRoot?: string;
}): Promise<{ outDir: string; files: number; bytes: number }>;
