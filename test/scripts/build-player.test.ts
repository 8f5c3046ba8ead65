import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain .mjs build script without type declarations
import { buildPlayer, CORE_BUDGET_GZIP } from '../../scripts/build-player.mjs';
import { SDK_VERSION } from '../../player/version.js';
import { FakeVideo } from '../helpers/player-fakes.js';
import { expectValidBatch } from '../helpers/player-tracker.js';

type Size = { min: number; gzip: number };
interface BuildResult {
  outDir: string;
  core: Size;
  html5: Size;
  hlsjs: Size;
  dashjs: Size;
  iife: Size;
}

let dir: string;
let built: BuildResult;

describe('player build', () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-player-'));
    built = await buildPlayer({ outDir: dir });
    console.log(
      `player sizes (min / gzip bytes): ${(['core', 'html5', 'hlsjs', 'dashjs', 'iife'] as const)
        .map((k) => `${k} ${built[k].min}/${built[k].gzip}`)
        .join(', ')}`,
    );
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the core within 9.5 KB min+gzip, with each adapter separate and small', () => {
    expect(CORE_BUDGET_GZIP).toBe(9.5 * 1024);
    expect(built.core.gzip).toBeLessThanOrEqual(CORE_BUDGET_GZIP);
    for (const k of ['html5', 'hlsjs', 'dashjs'] as const) {
      expect(built[k].gzip).toBeGreaterThan(0);
      expect(built[k].gzip).toBeLessThan(2048);
    }
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'sizes.json'), 'utf8'))).toStrictEqual({
      ...built,
    });
  });

  it('writes ESM entries for the core and each adapter, and type declarations', () => {
    for (const f of [
      'esm/index.js',
      'esm/adapters/html5.js',
      'esm/adapters/hlsjs.js',
      'esm/adapters/dashjs.js',
      'types/player/index.d.ts',
      'types/player/adapters/hlsjs.d.ts',
    ]) {
      expect(fs.existsSync(path.join(dir, f)), f).toBe(true);
    }
    // The core entry and the chunks it imports carry no adapter code and no player library.
    const index = fs.readFileSync(path.join(dir, 'esm/index.js'), 'utf8');
    const chunks = [...index.matchAll(/from"\.\/(chunks\/[^"]+)"/g)].map((m) =>
      fs.readFileSync(path.join(dir, 'esm', m[1]), 'utf8'),
    );
    const core = [index, ...chunks].join('\n');
    for (const marker of ['hlsLevelLoaded', 'qualityChangeRendered', 'volumechange'])
      expect(core).not.toContain(marker);
    expect(core).not.toMatch(/from"[^.]/); // no bare imports: no runtime dependencies
  });

  it('ESM build runs: a session over the built modules sends a valid batch', async () => {
    const { createTracker } = await import(pathToFileURL(path.join(dir, 'esm/index.js')).href);
    const { html5Adapter } = await import(
      pathToFileURL(path.join(dir, 'esm/adapters/html5.js')).href
    );
    const bodies: string[] = [];
    const tracker = createTracker({
      contentId: 'built',
      storage: null,
      page: null,
      sendBeacon: null,
      logLevel: 'silent',
      fetch: async (_u: string, init: RequestInit) => {
        bodies.push(String(init.body));
        return { status: 204, headers: new Headers(), text: async () => '' };
      },
    });
    const video = new FakeVideo();
    tracker.attach(html5Adapter(video));
    video.play();
    video.playing();
    video.tick(0.1);
    await new Promise((r) => setTimeout(r, 0));
    tracker.destroy();
    expect(bodies.length).toBeGreaterThan(0);
    const batch = JSON.parse(bodies[0]);
    expectValidBatch(batch);
    expect(batch).toMatchObject({ sdk_version: SDK_VERSION, content_id: 'built' });
  });

  it('IIFE build exposes window.BeaconEdge with the core and every adapter', async () => {
    const code = fs.readFileSync(path.join(dir, 'beacon-edge.iife.js'), 'utf8');
    const bodies: string[] = [];
    const sandbox: Record<string, unknown> = {
      fetch: async (_u: string, init: RequestInit) => {
        bodies.push(String(init.body));
        return { status: 204, headers: new Headers(), text: async () => '' };
      },
      setTimeout,
      clearTimeout,
      queueMicrotask,
      Promise,
      Blob,
      crypto: globalThis.crypto,
    };
    sandbox.window = sandbox;
    vm.runInNewContext(`${code};window.BeaconEdge = BeaconEdge;`, sandbox);
    const api = sandbox.BeaconEdge as typeof import('../../player/iife.js');
    for (const name of [
      'createTracker',
      'html5',
      'html5Adapter',
      'hlsjs',
      'hlsjsAdapter',
      'dashjs',
      'dashjsAdapter',
    ] as const)
      expect(typeof api[name], name).toBe('function');
    const video = new FakeVideo();
    const tracker = api.html5(video, {
      contentId: 'iife',
      storage: null,
      page: null,
      sendBeacon: null,
      logLevel: 'silent',
    });
    video.play();
    video.playing();
    video.tick(0.1);
    await new Promise((r) => setTimeout(r, 0));
    tracker.destroy();
    expectValidBatch(JSON.parse(bodies[0]));
  });

  it('reports the package version as sdk_version', () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8'));
    expect(SDK_VERSION).toBe(pkg.version);
  });
});
