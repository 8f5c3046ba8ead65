/** Types of demo/build.mjs (a plain .mjs build step, like the scripts/ steps). */

/**
 * Page files the static demo copies as they are: output path → source, relative to the repository
 * root. The page script is not among them: it is bundled from demo/demo.ts.
 */
export declare const PAGE_FILES: Readonly<Record<string, string>>;

/** Writes the static demo (page, bundled script, vendor scripts, media) to outDir (dist/demo). */
export declare function buildDemo(options?: {
  outDir?: string;
  repoRoot?: string;
}): Promise<{ outDir: string; files: number; bytes: number }>;
