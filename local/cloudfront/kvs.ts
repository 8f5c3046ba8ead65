/**
 * The local stack's CloudFront KeyValueStore: a JSON file in the data directory, in the import
 * format CloudFront documents (`{"data":[{"key":…,"value":…}]}`), seeded from `kvsSeed` on the
 * first start and read again when it changes, so an edit takes effect on the next requests
 * without a restart, as `put-key` does on AWS. The CloudFront Functions sandbox serves it to the
 * function as `cf.kvs()` (function-sandbox.ts).
 *
 * A change is noticed by comparing the file's stat at most every `checkEveryMs`: one syscall per
 * interval, robust against editors that replace the file (which a watch on the file would miss).
 * Content CloudFront would refuse (bad JSON, duplicate keys, entries over the limits) is refused
 * here too: the store keeps serving what it had and says why.
 */
import fs from 'node:fs';
import { KVS_MAX_ENTRY_BYTES, type KvsEntry } from '../../edge/kvs.js';

/** The store file's name in the data directory. */
export const KVS_FILE_NAME = 'cloudfront-kvs.json';

/** The local store's id (a UUID on AWS); `cf.kvs(id)` with another id throws. */
export const LOCAL_KVS_ID = 'beacons-local-kvs';

/** CloudFront's limits on an imported file and on a key. */
const MAX_FILE_BYTES = 5 * 1024 * 1024;
const MAX_KEY_CHARS = 512;

/** The store's content as the sandbox takes it: one JSON string, and a version that changes with it. */
export interface KeyValueStoreSnapshot {
  /** Increases each time the content changes. */
  readonly version: number;
  /** `{ id, entries: [[key, value], …], meta: { creationDateTime, lastUpdatedDateTime, keyCount } }` */
  readonly json: string;
}

/** What the CloudFront Functions sandbox reads the associated store through. */
export interface KeyValueStoreSource {
  /** The current content; cheap when nothing changed. Never throws. */
  current(): KeyValueStoreSnapshot;
}

/** Content CloudFront would not import; the message says what is wrong. */
export class KvsFormatError extends Error {
  override name = 'KvsFormatError';
}

/**
 * Parses and checks a file in CloudFront's import format.
 * @throws KvsFormatError when CloudFront would refuse it.
 */
export function parseKvsFile(text: string): KvsEntry[] {
  if (Buffer.byteLength(text) > MAX_FILE_BYTES)
    throw new KvsFormatError(`larger than CloudFront's ${MAX_FILE_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new KvsFormatError(`not JSON: ${(err as Error).message}`);
  }
  const data = (doc as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw new KvsFormatError('expected {"data":[{"key":…,"value":…}]}');
  const seen = new Set<string>();
  return data.map((e: unknown, i) => {
    const { key, value } = (e ?? {}) as { key?: unknown; value?: unknown };
    if (typeof key !== 'string' || key === '' || typeof value !== 'string')
      throw new KvsFormatError(`data[${i}] needs a non-empty string key and a string value`);
    if (seen.has(key)) throw new KvsFormatError(`duplicate key ${key}`);
    seen.add(key);
    if (key.length > MAX_KEY_CHARS)
      throw new KvsFormatError(`key ${key.slice(0, 40)}… is longer than ${MAX_KEY_CHARS}`);
    const bytes = Buffer.byteLength(key) + Buffer.byteLength(value);
    if (bytes > KVS_MAX_ENTRY_BYTES)
      throw new KvsFormatError(`key ${key}: ${bytes} bytes, over ${KVS_MAX_ENTRY_BYTES}`);
    return { key, value };
  });
}

/** The file's content for `entries`, as CloudFront imports it (and people edit it). */
export function formatKvsFile(entries: readonly KvsEntry[]): string {
  return `${JSON.stringify({ data: entries }, null, 2)}\n`;
}

/** Options of {@link LocalKeyValueStore.open}. */
export interface LocalKvsOptions {
  /** Longest time between two looks at the file. Default 250 ms (DEV_DEFAULTS.kvsCheckEveryMs). */
  checkEveryMs?: number;
  /** Told when the content changed or a change was refused. */
  log?: (line: string) => void;
}

/** The file-backed store; see the module comment. */
export class LocalKeyValueStore implements KeyValueStoreSource {
  private snapshot: KeyValueStoreSnapshot = { version: 0, json: '' };
  private seen = '';
  private checkedAt = 0;
  private keys = 0;
  private readonly createdAt: string;

  private constructor(
    private readonly file: string,
    private readonly checkEveryMs: number,
    private readonly log: (line: string) => void,
  ) {
    this.createdAt = new Date().toISOString();
  }

  /**
   * Opens the store file and reads it.
   * @throws KvsFormatError or a file-system error when it cannot be read as a store.
   */
  static open(file: string, opts: LocalKvsOptions = {}): LocalKeyValueStore {
    const store = new LocalKeyValueStore(file, opts.checkEveryMs ?? 250, opts.log ?? (() => {}));
    const stat = fs.statSync(file);
    store.load(fs.readFileSync(file, 'utf8'), stat);
    store.checkedAt = Date.now();
    return store;
  }

  current(): KeyValueStoreSnapshot {
    const now = Date.now();
    if (now - this.checkedAt >= this.checkEveryMs) {
      this.checkedAt = now;
      this.refresh();
    }
    return this.snapshot;
  }

  private refresh(): void {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(this.file);
    } catch (err) {
      this.refuse('gone', `cannot be read (${(err as NodeJS.ErrnoException).code})`);
      return;
    }
    if (signature(stat) === this.seen) return;
    try {
      this.load(fs.readFileSync(this.file, 'utf8'), stat);
      this.log(`${this.file} changed: ${this.keys} key(s)`);
    } catch (err) {
      this.refuse(signature(stat), (err as Error).message);
    }
  }

  /** Keeps the previous content; says so once per refused version of the file. */
  private refuse(sig: string, why: string): void {
    if (sig === this.seen) return;
    this.seen = sig;
    this.log(`${this.file} ${why}; still serving the previous content`);
  }

  private load(text: string, stat: fs.Stats): void {
    const entries = parseKvsFile(text);
    this.seen = signature(stat);
    this.keys = entries.length;
    this.snapshot = {
      version: this.snapshot.version + 1,
      json: JSON.stringify({
        id: LOCAL_KVS_ID,
        entries: entries.map((e) => [e.key, e.value]),
        meta: {
          creationDateTime: this.createdAt,
          lastUpdatedDateTime: stat.mtime.toISOString(),
          keyCount: entries.length,
        },
      }),
    };
  }
}

/** What identifies one version of the file: an edit or a replacement changes one of these. */
function signature(s: fs.Stats): string {
  return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
}
