/**
 * Where `beacons rollout` keeps the rules: the two KeyValueStore keys (edge/rollout.ts
 * `ROLLOUT_KEYS`), read and changed through {@link RolloutStore}. Here the local store, the data
 * directory's KeyValueStore file that the CloudFront emulator re-reads when it changes
 * (cloudfront/kvs.ts), so a change applies to a running `beacons dev` within its check interval
 * and to the next one started. The AWS store is rollout-kvs.ts.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_CONFIG } from '../edge/config.js';
import { type KvsEntry, kvsSeed } from '../edge/kvs.js';
import { ROLLOUT_KEYS, type RolloutScope } from '../edge/rollout.js';
import { formatKvsFile, KVS_FILE_NAME, KvsFormatError, parseKvsFile } from './cloudfront/kvs.js';
import { LocalStackError } from './errors.js';

/** The two keys' values; undefined for a key the store does not have (no rules). */
export type RolloutValues = Record<RolloutScope, string | undefined>;

/**
 * The new value of a key given its current one; undefined removes the key. Called again with the
 * newer value when the store changed underneath (it may throw to refuse).
 */
export type ValueUpdate = (current: string | undefined) => string | undefined;

/** A store of the rollout keys. */
export interface RolloutStore {
  /** For messages: "the KeyValueStore file …" or the ARN. */
  readonly where: string;
  read(): Promise<RolloutValues>;
  /** Applies `update` to the key of `scope`; resolves to whether the value changed. */
  update(scope: RolloutScope, update: ValueUpdate): Promise<boolean>;
}

/** The local store file of a data directory. */
export function localKvsFile(dataDir: string): string {
  return path.join(path.resolve(dataDir), KVS_FILE_NAME);
}

/** The data directory's KeyValueStore file as a {@link RolloutStore}. */
export class FileRolloutStore implements RolloutStore {
  readonly where: string;

  /** `lockWaitMs`: how long an update waits for another one to finish. */
  constructor(
    private readonly file: string,
    private readonly lockWaitMs = 5_000,
  ) {
    this.where = `the KeyValueStore file ${file}`;
  }

  async read(): Promise<RolloutValues> {
    const entries = readEntries(this.file) ?? [];
    const get = (scope: RolloutScope) => entries.find((e) => e.key === ROLLOUT_KEYS[scope])?.value;
    return { schema: get('schema'), sdk: get('sdk') };
  }

  async update(scope: RolloutScope, update: ValueUpdate): Promise<boolean> {
    return withLock(`${this.file}.lock`, this.lockWaitMs, () => this.updateLocked(scope, update));
  }

  private updateLocked(scope: RolloutScope, update: ValueUpdate): boolean {
    // A missing file is seeded as `beacons dev` seeds it (dev.ts), so the stack started later
    // keeps its CORS allow-list: it seeds only when no file exists.
    const entries = readEntries(this.file) ?? kvsSeed(DEFAULT_CONFIG);
    const key = ROLLOUT_KEYS[scope];
    const current = entries.find((e) => e.key === key)?.value;
    const next = update(current);
    if (next === current) return false;
    // The key keeps its place in the file, for whoever reads or edits it by hand.
    const written: KvsEntry[] =
      next === undefined
        ? entries.filter((e) => e.key !== key)
        : current === undefined
          ? [...entries, { key, value: next }]
          : entries.map((e) => (e.key === key ? { key, value: next } : e));
    const text = formatKvsFile(written);
    try {
      parseKvsFile(text); // what the emulator would refuse is never written
    } catch (err) {
      throw new LocalStackError(`not written to ${this.file}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    writeAtomically(this.file, text);
    return true;
  }
}

/** A store file's entries; undefined when there is no file yet. */
function readEntries(file: string): KvsEntry[] | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LocalStackError(`cannot read ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    return parseKvsFile(text);
  } catch (err) {
    if (err instanceof KvsFormatError)
      throw new LocalStackError(
        `${file} is not a KeyValueStore file CloudFront would import (${err.message}); fix it or delete it (beacons dev seeds a new one)`,
        { cause: err },
      );
    throw err;
  }
}

/**
 * Seeds a data directory's store file as `beacons dev` starts: the whole seed when there is no
 * file; otherwise only the seed's keys the file lacks, such as the rollout keys of a data
 * directory from before they existed (the seed holds what the built edge falls back to, so
 * adding them changes no answer, and the function stops logging that they are missing). A key
 * the file has is never overwritten. Resolves to the keys written.
 * @throws LocalStackError when the file exists but is not a store file CloudFront would import.
 */
export async function seedKvsFile(
  file: string,
  seed: readonly KvsEntry[],
  lockWaitMs = 5_000,
): Promise<string[]> {
  return withLock(`${file}.lock`, lockWaitMs, () => {
    const entries = readEntries(file);
    const have = new Set(entries?.map((e) => e.key));
    const added = seed.filter((e) => !have.has(e.key));
    if (added.length > 0) writeAtomically(file, formatKvsFile([...(entries ?? []), ...added]));
    return added.map((e) => e.key);
  });
}

/** How old a lock file must be to count as left behind by a process that died. */
const STALE_LOCK_MS = 10_000;

/**
 * Runs `fn` holding `lock` (a file created exclusively), so two `beacons rollout` commands
 * changing the file at once cannot lose one of the changes: each reads what the other wrote.
 */
function withLock<T>(lock: string, waitMs: number, fn: () => T): T {
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + waitMs;
  let mine: fs.Stats;
  for (;;) {
    try {
      const fd = fs.openSync(lock, 'wx');
      try {
        fs.writeSync(fd, `${process.pid}\n`);
        mine = fs.fstatSync(fd);
      } catch (err) {
        fs.rmSync(lock, { force: true }); // not left to block others until it goes stale
        throw err;
      } finally {
        fs.closeSync(fd);
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const held = fs.statSync(lock, { throwIfNoEntry: false });
    if (held && Date.now() - held.mtimeMs > STALE_LOCK_MS) takeOverStaleLock(lock, held);
    else if (Date.now() >= deadline)
      throw new LocalStackError(
        `${lock} is held by another "beacons rollout" command (or a starting "beacons dev"); run again, or delete the file if none is running`,
      );
    else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  try {
    return fn();
  } finally {
    // Only our own lock: had it been taken over as stale meanwhile, the file is someone else's.
    if (sameFile(fs.statSync(lock, { throwIfNoEntry: false }), mine))
      fs.rmSync(lock, { force: true });
  }
}

const sameFile = (a: fs.Stats | undefined, b: fs.Stats) =>
  a !== undefined && a.ino === b.ino && a.dev === b.dev && a.mtimeMs === b.mtimeMs;

/**
 * Removes the stale lock `seen` describes, and nothing else. It is moved aside first and checked:
 * two commands may both find the same stale lock, and the slower one, deleting by name, would
 * remove the fresh lock the faster one had just taken. A fresh lock moved aside is put back; if
 * its holder finished meanwhile, the lock put back holds nothing and goes stale in 10 s.
 */
export function takeOverStaleLock(lock: string, seen: fs.Stats): void {
  const aside = `${lock}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.stale`;
  try {
    fs.renameSync(lock, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else removed it
    throw err;
  }
  try {
    // An inode number can be reused at once for the next lock, so the age is checked too.
    if (sameFile(fs.statSync(aside), seen)) return;
    try {
      fs.linkSync(aside, lock);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // A third command took the lock in between. Both it and the holder put aside now think they
      // hold the lock: that needs three commands racing on one stale lock within microseconds.
      if (code !== 'EEXIST') {
        // No hard links here: rename it back instead (this one may replace a lock taken since).
        fs.renameSync(aside, lock);
        return;
      }
    }
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

/**
 * Writes `text` to a temporary file in the same directory and renames it over `file`: a rename
 * is atomic, so the emulator, which may read at any moment, sees the old or the new content,
 * never half a file.
 */
export function writeAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, text, { flag: 'wx' });
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}
