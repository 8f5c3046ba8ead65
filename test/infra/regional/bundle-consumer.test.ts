import fs from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  bundleConsumer,
  CONSUMER_ENTRY,
  ForbiddenBundleImportError,
} from '../../../infra/regional/bundle-consumer.js';
import { catchError } from '../../helpers/catch-error.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'consumer-bundle-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('bundleConsumer', () => {
  it('bundles the consumer entry into one ES module that exports handler and imports no DuckDB', async () => {
    const outdir = tempDir();
    const { outfile, bytes, inputs, imports } = bundleConsumer({ outdir });
    expect(outfile).toBe(path.join(outdir, 'index.mjs'));
    expect(fs.readdirSync(outdir)).toStrictEqual(['index.mjs']);
    expect(bytes).toBe(fs.statSync(outfile).size);
    expect(inputs.some((i) => i.includes('core-pipeline/lambda/main.ts'))).toBe(true);
    const code = fs.readFileSync(outfile, 'utf8');
    expect(code).not.toMatch(/@duckdb/);
    // Every import left for run time is a Node built-in: the asset carries no node_modules.
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((s) => !isBuiltin(s))).toStrictEqual([]);
    expect(inputs.some((i) => i.includes('@duckdb'))).toBe(false);
    const mod = await import(outfile);
    expect(typeof mod.handler).toBe('function');
  });

  it('refuses an entry that pulls in DuckDB', () => {
    const entry = path.resolve(CONSUMER_ENTRY, '..', '..', 'sinks', 'duckdb.ts');
    const err = catchError(() => bundleConsumer({ outdir: tempDir(), entry }));
    expect(err).toBeInstanceOf(ForbiddenBundleImportError);
    expect((err as ForbiddenBundleImportError).imports.every((i) => i.includes('@duckdb/'))).toBe(
      true,
    );
    expect((err as Error).message).toMatch(/^consumer bundle of .*duckdb\.ts imports .*@duckdb\//);
  });
});

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]);
}
