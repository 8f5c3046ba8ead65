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
    const entries = this.entries() ?? [];
    const get = (scope: RolloutScope) => entries.find((e) => e.key === ROLLOUT_KEYS[scope])?.value;
    return { schema: get('schema'), sdk: get('sdk') };
  }

  async update(scope: RolloutScope, update: ValueUpdate): Promise<boolean> {
    return withLock(`${this.file}.lock`, this.lockWaitMs, () => this.updateLocked(scope, update));
  }

  private updateLocked(scope: RolloutScope, update: ValueUpdate): boolean {
    // A missing file is seeded as `beacons dev` seeds it (dev.ts), so the stack started later
    // keeps its CORS allow-list: it seeds only when no file exists.
    const entries = this.entries() ?? kvsSeed(DEFAULT_CONFIG);
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

  /** The file's entries; undefined when there is no file yet. */
  private entries(): KvsEntry[] | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new LocalStackError(`cannot read ${this.file}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    try {
      return parseKvsFile(text);
    } catch (err) {
      if (err instanceof KvsFormatError)
        throw new LocalStackError(
          `${this.file} is not a KeyValueStore file CloudFront would import (${err.message}); fix it or delete it (beacons dev seeds a new one)`,
          { cause: err },
        );
      throw err;
    }
  }
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
  for (;;) {
    try {
      fs.writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > STALE_LOCK_MS) fs.rmSync(lock, { force: true });
    else if (Date.now() >= deadline)
      throw new LocalStackError(
        `${lock} is held by another "beacons rollout" command; run again, or delete the file if none is running`,
      );
    else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { force: true });
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
