import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDev, type DevStack } from '../../local/dev.js';
import type { RolloutAnswer } from '../../core-pipeline/queries/rollout-answers.js';
import { html5Adapter } from '../../player/adapters/html5.js';
import { createTracker, type Tracker } from '../../player/core/tracker.js';
import type { StopReason } from '../../player/transport/results.js';
import type { SchemaVersion } from '../../schemas/versions.js';
import { BEACONS_BIN } from '../helpers/cli-process.js';
import { fakePage, FakeVideo, MemoryStorage } from '../helpers/player-fakes.js';
import { eventually } from '../helpers/stack-checks.js';

/**
 * The rollout switch on the whole local stack, as an operator and two player releases meet it:
 * the SDK sending schema 1-0-0 and the SDK sending 2-0-0 play at once and both are stored;
 * `beacons rollout set 1-0-0 retired`, run as a user runs it while `beacons dev` runs, takes
 * effect within 5 s without a restart; the 1-0-0 client gets 410, learns why and stops sending;
 * the 2-0-0 client goes on; the rollout panel's answer shows the shift.
 */
const run = promisify(execFile);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-rollout-'));
let dev: DevStack | undefined;

/** A real SDK tracker on a scripted video, sending through real HTTP to the local edge. */
interface Client {
  tracker: Tracker;
  video: FakeVideo;
  statuses: number[];
  stopped: StopReason[];
  playing: ReturnType<typeof setInterval>;
}
const clients: Client[] = [];

function client(schemaVersion: SchemaVersion): Client {
  const statuses: number[] = [];
  const stopped: StopReason[] = [];
  const video = new FakeVideo();
  const tracker = createTracker({
    contentId: `rollout/${schemaVersion}`,
    endpoint: `${dev!.url}/v1/events`,
    schemaVersion,
    heartbeatMs: 1000,
    flushMs: 100,
    fetch: async (url, init) => {
      const res = await fetch(url, init);
      statuses.push(res.status);
      return res;
    },
    sendBeacon: null,
    storage: new MemoryStorage(),
    page: fakePage(),
    logLevel: 'silent',
    onStopped: (r) => stopped.push(r),
  });
  tracker.attach(html5Adapter(video));
  video.play();
  video.playing();
  // The playhead moves as in a real player, so heartbeats and timeupdates keep coming.
  const playing = setInterval(() => video.tick(0.25), 250);
  const c = { tracker, video, statuses, stopped, playing };
  clients.push(c);
  return c;
}

async function rollout(by: 'schema' | 'sdk'): Promise<RolloutAnswer> {
  const res = await fetch(`${dev!.url}/api/v1/rollout?range=15m&by=${by}`);
  expect(res.status).toBe(200);
  return (await res.json()) as RolloutAnswer;
}

const eventsOf = (a: RolloutAnswer, version: string) =>
  a.versions.find((v) => v.version === version)?.events ?? 0;

beforeAll(async () => {
  dev = await startDev({ port: 0, dataDir, pollIntervalMs: 50, log: () => {} });
});

afterAll(async () => {
  for (const c of clients) {
    clearInterval(c.playing);
    c.tracker.destroy();
  }
  await dev?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('rolling a schema version out and back on the local stack', () => {
  let old: Client;
  let current: Client;

  it('stores both versions while they send at once', async () => {
    old = client('1-0-0');
    current = client('2-0-0');
    const both = await eventually('events of both versions on the rollout panel', async () => {
      const a = await rollout('schema');
      return eventsOf(a, '1-0-0') >= 3 && eventsOf(a, '2-0-0') >= 3 ? a : undefined;
    });
    expect(both.versions.map((v) => v.version).sort()).toStrictEqual(['1-0-0', '2-0-0']);
    for (const v of both.versions) expect(v.badRows).toBe(0);
    expect(old.statuses.every((s) => s === 204)).toBe(true);
    expect(current.statuses.every((s) => s === 204)).toBe(true);
  });

  it('retires 1-0-0 within 5 s of `beacons rollout set`, without a restart', async () => {
    const out = await run(process.execPath, [
      BEACONS_BIN,
      'rollout',
      'set',
      '1-0-0',
      'retired',
      '--data-dir',
      dataDir,
    ]);
    expect(out.stdout).toMatch(/1-0-0/);
    const setAt = Date.now();
    const reason = await eventually(
      'the 1-0-0 client stopped by a 410',
      async () => old.stopped[0],
      5000,
      50,
    );
    expect(Date.now() - setAt).toBeLessThanOrEqual(5000);
    expect(reason).toMatchObject({ status: 410, error: 'schema_retired', upgrade: '2-0-0' });
    expect(reason.detail).toMatch(/1-0-0 is retired/);
    expect(old.statuses).toContain(410);
  });

  it('the retired client sends nothing more; the current one goes on; the panel shows the shift', async () => {
    const sentByOld = old.statuses.length;
    const before = await rollout('schema');
    const currentBefore = eventsOf(before, '2-0-0');
    const after = await eventually('more 2-0-0 events after the retirement', async () => {
      const a = await rollout('schema');
      return eventsOf(a, '2-0-0') >= currentBefore + 3 ? a : undefined;
    });
    // Heartbeats and timeupdates kept coming on the old client's video, and none was sent.
    expect(old.statuses.length).toBe(sentByOld);
    expect(eventsOf(after, '1-0-0')).toBe(eventsOf(before, '1-0-0'));
    const retired = after.versions.find((v) => v.version === '1-0-0');
    expect(retired?.refusalsByReason.schema_retired).toBeGreaterThanOrEqual(1);
    expect(retired?.badRows).toBe(0);
    expect(current.statuses.every((s) => s === 204)).toBe(true);
    expect(current.stopped).toStrictEqual([]);
  });

  it('a new 1-0-0 session is refused at its first batch, and counted once per request', async () => {
    const late = client('1-0-0');
    const reason = await eventually('the late client stopped', async () => late.stopped[0], 10_000);
    expect(reason.error).toBe('schema_retired');
    expect(late.statuses).toStrictEqual([410]);
    const a = await eventually('two refusals of 1-0-0', async () => {
      const r = await rollout('schema');
      const n = r.versions.find((v) => v.version === '1-0-0')?.refusalsByReason.schema_retired;
      return n !== undefined && n >= 2 ? r : undefined;
    });
    const refused = clients.reduce((n, c) => n + c.statuses.filter((s) => s === 410).length, 0);
    expect(a.versions.find((v) => v.version === '1-0-0')?.refusalsByReason.schema_retired).toBe(
      refused,
    );
  });
});
