/**
 * The local rollout store against the real local KeyValueStore the CloudFront emulator serves
 * (cloudfront/kvs.ts): what `beacons rollout` writes, a running store reads at its next look,
 * with the CORS allow-list kept; a store file the emulator would refuse is never written.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../edge/config.js';
import { KVS_KEYS, kvsSeed } from '../../edge/kvs.js';
import { ROLLOUT_KEYS } from '../../edge/rollout.js';
import { KVS_FILE_NAME, LocalKeyValueStore } from '../../local/cloudfront/kvs.js';
import { buildRule, withoutRule, withRule } from '../../local/rollout-edit.js';
import {
  FileRolloutStore,
  localKvsFile,
  seedKvsFile,
  takeOverStaleLock,
  writeAtomically,
} from '../../local/rollout-file.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollout-file-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The keys the store serves to the viewer function now. */
function served(store: LocalKeyValueStore): Record<string, string> {
  return Object.fromEntries(
    (JSON.parse(store.current().json) as { entries: [string, string][] }).entries,
  );
}

describe('FileRolloutStore', () => {
  it('a running LocalKeyValueStore sees a rule set and cleared, and keeps the CORS allow-list', async () => {
    const file = localKvsFile(dir);
    expect(file).toBe(path.join(dir, KVS_FILE_NAME));
    await seedKvsFile(file, [{ key: KVS_KEYS.allowedOrigins, value: 'https://player.example' }]);
    const logs: string[] = [];
    const kvs = LocalKeyValueStore.open(file, { checkEveryMs: 0, log: (l) => logs.push(l) });
    expect(served(kvs)).toStrictEqual({ [KVS_KEYS.allowedOrigins]: 'https://player.example' });

    const store = new FileRolloutStore(file);
    const retired = buildRule('1-0-0', 'retired', {}, '2026-11-30');
    expect(await store.update('schema', (v) => withRule(v, retired))).toBe(true);
    expect(served(kvs)).toStrictEqual({
      [KVS_KEYS.allowedOrigins]: 'https://player.example',
      [ROLLOUT_KEYS.schema]: '1-0-0:retired',
    });
    expect(await store.read()).toStrictEqual({ schema: '1-0-0:retired', sdk: undefined });

    // The same again changes nothing and leaves the file alone.
    const before = fs.statSync(file);
    expect(await store.update('schema', (v) => withRule(v, retired))).toBe(false);
    expect(fs.statSync(file).ino).toBe(before.ino);

    expect(await store.update('schema', (v) => withoutRule('schema', v, '1-0-0').value)).toBe(true);
    expect(served(kvs)).toStrictEqual({
      [KVS_KEYS.allowedOrigins]: 'https://player.example',
      [ROLLOUT_KEYS.schema]: '-',
    });
    expect(logs.filter((l) => l.includes('changed'))).toHaveLength(2);
    expect(logs.some((l) => l.includes('previous content'))).toBe(false);
    // No temporary file is left behind.
    expect(fs.readdirSync(dir)).toStrictEqual([KVS_FILE_NAME]);
  });

  it('seeds a missing file as beacons dev would, so the stack started later keeps CORS', async () => {
    const file = localKvsFile(path.join(dir, 'new-data-dir'));
    const store = new FileRolloutStore(file);
    expect(await store.read()).toStrictEqual({ schema: undefined, sdk: undefined });
    const rule = buildRule('web@0.1.0', 'retired', { upgrade: '0.3.0' }, '2026-11-30');
    await store.update('sdk', (v) => withRule(v, rule));
    expect(served(LocalKeyValueStore.open(file))).toStrictEqual({
      ...Object.fromEntries(kvsSeed(DEFAULT_CONFIG).map((e) => [e.key, e.value])),
      [ROLLOUT_KEYS.sdk]: 'web@0.1.0:retired,upgrade=0.3.0',
    });
    // beacons dev then finds the file and does not seed over it.
    expect(await seedKvsFile(file, kvsSeed(DEFAULT_CONFIG))).toStrictEqual([]);
  });

  it('refuses a file the emulator would refuse, and writes nothing', async () => {
    const file = localKvsFile(dir);
    fs.writeFileSync(file, '{"data": [{"key": "a"}]}');
    const store = new FileRolloutStore(file);
    await expect(store.read()).rejects.toThrow(
      `${file} is not a KeyValueStore file CloudFront would import (data[0] needs a non-empty string key and a string value); fix it or delete it (beacons dev seeds a new one)`,
    );
    await expect(store.update('schema', () => '1-0-0:retired')).rejects.toThrow(
      'is not a KeyValueStore file',
    );
    expect(fs.readFileSync(file, 'utf8')).toBe('{"data": [{"key": "a"}]}');
  });

  it('never writes a value over the per-key limit even if a caller computed one', async () => {
    const file = localKvsFile(dir);
    const store = new FileRolloutStore(file);
    await expect(store.update('sdk', () => 'x'.repeat(1100))).rejects.toThrow(
      'key rollout.sdks: 1112 bytes, over 1024',
    );
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('seedKvsFile', () => {
  const seed = [
    { key: KVS_KEYS.allowedOrigins, value: '*' },
    { key: ROLLOUT_KEYS.schema, value: '-' },
    { key: ROLLOUT_KEYS.sdk, value: '-' },
  ];

  it('writes the whole seed when there is no file, and nothing on the next start', async () => {
    const file = localKvsFile(dir);
    expect(await seedKvsFile(file, seed)).toStrictEqual(seed.map((e) => e.key));
    const text = fs.readFileSync(file, 'utf8');
    expect(await seedKvsFile(file, seed)).toStrictEqual([]);
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
    expect(fs.readdirSync(dir)).toStrictEqual([KVS_FILE_NAME]);
  });

  it('adds only the keys a store from before them lacks, keeping every value the file has', async () => {
    const file = localKvsFile(dir);
    // A data directory from before the rollout keys, its allow-list edited by its developer.
    fs.writeFileSync(
      file,
      '{"data":[{"key":"cors.allowed-origins","value":"https://tv.example"}]}',
    );
    expect(await seedKvsFile(file, seed)).toStrictEqual([ROLLOUT_KEYS.schema, ROLLOUT_KEYS.sdk]);
    expect(served(LocalKeyValueStore.open(file))).toStrictEqual({
      [KVS_KEYS.allowedOrigins]: 'https://tv.example',
      [ROLLOUT_KEYS.schema]: '-',
      [ROLLOUT_KEYS.sdk]: '-',
    });
    // A rule written later is kept by the next start.
    await new FileRolloutStore(file).update('schema', () => '1-0-0:retired');
    expect(await seedKvsFile(file, seed)).toStrictEqual([]);
    expect((await new FileRolloutStore(file).read()).schema).toBe('1-0-0:retired');
  });

  it('refuses a file CloudFront would not import, and leaves it as it is', async () => {
    const file = localKvsFile(dir);
    fs.writeFileSync(file, '{"data": 1}');
    await expect(seedKvsFile(file, seed)).rejects.toThrow(
      'is not a KeyValueStore file CloudFront would import',
    );
    expect(fs.readFileSync(file, 'utf8')).toBe('{"data": 1}');
  });
});

describe('FileRolloutStore lock', () => {
  it('waits for a held lock and then refuses, leaving the file and the lock alone', async () => {
    const file = localKvsFile(dir);
    fs.writeFileSync(`${file}.lock`, '1\n');
    const store = new FileRolloutStore(file, 100);
    await expect(store.update('schema', () => '1-0-0:retired')).rejects.toThrow(
      `${file}.lock is held by another "beacons rollout" command (or a starting "beacons dev"); run again, or delete the file if none is running`,
    );
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.existsSync(`${file}.lock`)).toBe(true);
  });

  it('takes over a lock left behind by a process that died, and releases it', async () => {
    const file = localKvsFile(dir);
    fs.writeFileSync(`${file}.lock`, '1\n');
    const old = new Date(Date.now() - 11_000);
    fs.utimesSync(`${file}.lock`, old, old);
    const store = new FileRolloutStore(file, 100);
    expect(await store.update('schema', () => '1-0-0:retired')).toBe(true);
    expect((await store.read()).schema).toBe('1-0-0:retired');
    expect(fs.readdirSync(dir)).toStrictEqual([KVS_FILE_NAME]);
  });
});

describe('takeOverStaleLock', () => {
  it('removes the stale lock it looked at', () => {
    const lock = path.join(dir, 'f.lock');
    fs.writeFileSync(lock, '1\n');
    const old = new Date(Date.now() - 11_000);
    fs.utimesSync(lock, old, old);
    takeOverStaleLock(lock, fs.statSync(lock));
    expect(fs.readdirSync(dir)).toStrictEqual([]);
  });

  it('leaves a fresh lock that another command took after the stale one was seen', () => {
    const lock = path.join(dir, 'f.lock');
    fs.writeFileSync(lock, '1\n');
    const old = new Date(Date.now() - 11_000);
    fs.utimesSync(lock, old, old);
    const seen = fs.statSync(lock);
    // The faster command removes the stale lock and takes its own (the inode may even be reused).
    fs.rmSync(lock);
    fs.writeFileSync(lock, '2\n', { flag: 'wx' });
    takeOverStaleLock(lock, seen);
    expect(fs.readFileSync(lock, 'utf8')).toBe('2\n');
    expect(fs.readdirSync(dir)).toStrictEqual(['f.lock']);
  });

  it('does nothing when the lock is already gone', () => {
    const lock = path.join(dir, 'f.lock');
    fs.writeFileSync(lock, '1\n');
    const seen = fs.statSync(lock);
    fs.rmSync(lock);
    takeOverStaleLock(lock, seen);
    expect(fs.readdirSync(dir)).toStrictEqual([]);
  });
});

describe('writeAtomically', () => {
  it('replaces the file by rename: a reader holding the old file keeps reading the old content', () => {
    const file = path.join(dir, 'f.json');
    fs.writeFileSync(file, 'old');
    const fd = fs.openSync(file, 'r');
    writeAtomically(file, 'new');
    const buf = Buffer.alloc(3);
    fs.readSync(fd, buf, 0, 3, 0);
    fs.closeSync(fd);
    expect(buf.toString()).toBe('old');
    expect(fs.readFileSync(file, 'utf8')).toBe('new');
    expect(fs.readdirSync(dir)).toStrictEqual(['f.json']);
  });
});
