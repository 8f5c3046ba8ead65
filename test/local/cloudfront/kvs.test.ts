// The local stack's KeyValueStore file: CloudFront's import format and limits, seeding only on the
// first start, and edits picked up while running (a refused edit keeps the previous content).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  formatKvsFile,
  KvsFormatError,
  LOCAL_KVS_ID,
  LocalKeyValueStore,
  parseKvsFile,
} from '../../../local/cloudfront/kvs.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'local-kvs-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const freshFile = () => path.join(tmp, `kvs-${++n}.json`);

interface Content {
  id: string;
  entries: [string, string][];
  meta: { creationDateTime: string; lastUpdatedDateTime: string; keyCount: number };
}
const content = (store: LocalKeyValueStore): Content => JSON.parse(store.current().json) as Content;

describe('parseKvsFile', () => {
  it('reads the import format CloudFront documents', () => {
    const text = '{"data":[{"key":"a","value":"1"},{"key":"b","value":""}]}';
    expect(parseKvsFile(text)).toStrictEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: '' },
    ]);
    expect(parseKvsFile(formatKvsFile([{ key: 'k', value: 'v' }]))).toStrictEqual([
      { key: 'k', value: 'v' },
    ]);
  });

  it.each([
    ['broken JSON', '{"data":[', /not JSON/],
    ['no data', '[]', /expected \{"data"/],
    ['data not a list', '{"data":{}}', /expected \{"data"/],
    ['no value', '{"data":[{"key":"a"}]}', /data\[0\] needs/],
    ['an empty key', '{"data":[{"key":"","value":"x"}]}', /data\[0\] needs/],
    ['a number value', '{"data":[{"key":"a","value":1}]}', /data\[0\] needs/],
    [
      'a duplicate key',
      '{"data":[{"key":"a","value":"1"},{"key":"a","value":"2"}]}',
      /duplicate key a/,
    ],
    [
      'a 513-character key',
      JSON.stringify({ data: [{ key: 'k'.repeat(513), value: '' }] }),
      /longer than 512/,
    ],
    [
      'an entry over 1 KB',
      JSON.stringify({ data: [{ key: 'k', value: 'v'.repeat(1024) }] }),
      /1025 bytes, over 1024/,
    ],
  ])('refuses %s', (_label, text, message) => {
    expect(() => parseKvsFile(text)).toThrow(KvsFormatError);
    expect(() => parseKvsFile(text)).toThrow(message);
  });
});

describe('LocalKeyValueStore', () => {
  it('serves the file with its id and metadata', () => {
    const file = freshFile();
    fs.writeFileSync(file, formatKvsFile([{ key: 'a', value: '1' }]));
    const c = content(LocalKeyValueStore.open(file));
    expect(c.id).toBe(LOCAL_KVS_ID);
    expect(c.entries).toStrictEqual([['a', '1']]);
    expect(c.meta.keyCount).toBe(1);
    expect(c.meta.lastUpdatedDateTime).toBe(fs.statSync(file).mtime.toISOString());
  });

  it('refuses to open a file CloudFront would not import', () => {
    const file = freshFile();
    fs.writeFileSync(file, '{"data":[{"key":"a","value":"1"},{"key":"a","value":"1"}]}');
    expect(() => LocalKeyValueStore.open(file)).toThrow(/duplicate key a/);
    expect(() => LocalKeyValueStore.open(freshFile())).toThrow(/ENOENT/);
  });

  it('picks up an edit, and keeps the previous content through a bad edit or a deletion', () => {
    const file = freshFile();
    fs.writeFileSync(file, formatKvsFile([{ key: 'a', value: '1' }]));
    const logs: string[] = [];
    const store = LocalKeyValueStore.open(file, { checkEveryMs: 0, log: (l) => logs.push(l) });
    const v1 = store.current().version;
    expect(store.current().version).toBe(v1); // unchanged file: same snapshot

    fs.writeFileSync(
      file,
      formatKvsFile([
        { key: 'a', value: '2' },
        { key: 'b', value: '3' },
      ]),
    );
    expect(content(store).entries).toStrictEqual([
      ['a', '2'],
      ['b', '3'],
    ]);
    expect(store.current().version).toBeGreaterThan(v1);
    expect(logs).toStrictEqual([`${file} changed: 2 key(s)`]);

    // Half-written by an editor: refused once, the previous content still served.
    fs.writeFileSync(file, '{"data":[{"key":"a",');
    const v2 = store.current().version;
    store.current();
    expect(content(store).entries).toStrictEqual([
      ['a', '2'],
      ['b', '3'],
    ]);
    expect(store.current().version).toBe(v2);
    expect(logs.slice(1)).toStrictEqual([
      expect.stringMatching(/ not JSON: .*; still serving the previous content$/),
    ]);

    fs.rmSync(file);
    expect(content(store).entries).toHaveLength(2);
    expect(logs[2]).toMatch(/cannot be read \(ENOENT\); still serving the previous content$/);
    store.current();
    expect(logs).toHaveLength(3);

    fs.writeFileSync(file, formatKvsFile([]));
    expect(content(store).entries).toStrictEqual([]);
    expect(content(store).meta.keyCount).toBe(0);
  });

  it('looks at the file at most every checkEveryMs', () => {
    const file = freshFile();
    fs.writeFileSync(file, formatKvsFile([{ key: 'a', value: '1' }]));
    const store = LocalKeyValueStore.open(file, { checkEveryMs: 60_000 });
    fs.writeFileSync(file, formatKvsFile([{ key: 'a', value: 'changed' }]));
    expect(content(store).entries).toStrictEqual([['a', '1']]);
  });
});
