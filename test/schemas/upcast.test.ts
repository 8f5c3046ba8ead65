/**
 * schemas/upcast.ts: every version's event in the one stored shape.
 */
import { describe, expect, it } from 'vitest';
import { renamedFields, upcastEvent } from '../../schemas/upcast.js';
import { SCHEMA_VERSIONS } from '../../schemas/versions.js';

const heartbeatV2 = {
  type: 'heartbeat',
  id: 'evt-heartbeat-0001',
  seq: 1,
  ts: 1,
  playhead: 1,
  played_ms: 10_000,
  stall_total_ms: 1200,
  stall_count: 1,
  avg_bitrate: 2_400_000,
  throughput_kbps: 8500,
};

describe('upcastEvent', () => {
  it('renames 2-0-0 heartbeat counters to their 1-x names, keeping every other field and the key order', () => {
    expect(upcastEvent('2-0-0', heartbeatV2)).toStrictEqual({
      type: 'heartbeat',
      id: 'evt-heartbeat-0001',
      seq: 1,
      ts: 1,
      playhead: 1,
      played_ms: 10_000,
      stall_ms: 1200,
      stall_count: 1,
      bitrate: 2_400_000,
      throughput_kbps: 8500,
    });
    expect(Object.keys(upcastEvent('2-0-0', heartbeatV2))[6]).toBe('stall_ms');
  });

  it('renames session_end stall_total_ms, and leaves stall_end and variant_loaded alone', () => {
    const end = { type: 'session_end', played_ms: 1, stall_total_ms: 2, stall_count: 0 };
    expect(upcastEvent('2-0-0', end)).toStrictEqual({
      type: 'session_end',
      played_ms: 1,
      stall_ms: 2,
      stall_count: 0,
    });
    const stall = { type: 'stall_end', stall_ms: 300 };
    const variant = { type: 'variant_loaded', bitrate: 1 };
    expect(upcastEvent('2-0-0', stall)).toBe(stall);
    expect(upcastEvent('2-0-0', variant)).toBe(variant);
  });

  it('returns the same object for every 1-x event, an unknown version and an unknown type', () => {
    const hb = { type: 'heartbeat', stall_ms: 1, bitrate: 2 };
    expect(upcastEvent('1-0-0', hb)).toBe(hb);
    expect(upcastEvent('1-1-0', hb)).toBe(hb);
    expect(upcastEvent('9-9-9', heartbeatV2)).toBe(heartbeatV2);
    expect(upcastEvent('2-0-0', { type: 'ad_break', stall_total_ms: 1 })).toStrictEqual({
      type: 'ad_break',
      stall_total_ms: 1,
    });
    // A 2-0-0 heartbeat that sends neither renamed field (avg_bitrate is optional, and a record
    // the core reads may break the schema) is the same object too.
    const bare = { type: 'heartbeat', played_ms: 1 };
    expect(upcastEvent('2-0-0', bare)).toBe(bare);
  });

  it('never changes its argument', () => {
    const copy = structuredClone(heartbeatV2);
    upcastEvent('2-0-0', heartbeatV2);
    expect(heartbeatV2).toStrictEqual(copy);
  });

  it('keeps the stored name when both names are present (one value per column)', () => {
    expect(
      upcastEvent('2-0-0', { type: 'heartbeat', stall_total_ms: 5, stall_ms: 7 }),
    ).toStrictEqual({ type: 'heartbeat', stall_ms: 7 });
    expect(
      upcastEvent('2-0-0', { type: 'heartbeat', stall_ms: 7, stall_total_ms: 5 }),
    ).toStrictEqual({ type: 'heartbeat', stall_ms: 7 });
  });

  it("keeps an own __proto__ key as a plain field and does not touch the copy's prototype", () => {
    const ev = JSON.parse('{"type":"heartbeat","stall_total_ms":1,"__proto__":{"polluted":true}}');
    const out = upcastEvent('2-0-0', ev) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(out.polluted).toBeUndefined();
    expect(JSON.stringify(out)).toBe(
      '{"type":"heartbeat","stall_ms":1,"__proto__":{"polluted":true}}',
    );
  });
});

describe('renamedFields', () => {
  it('lists the renames of 2-0-0 and none for the other versions', () => {
    expect(renamedFields('2-0-0')).toStrictEqual({
      heartbeat: { stall_total_ms: 'stall_ms', avg_bitrate: 'bitrate' },
      session_end: { stall_total_ms: 'stall_ms' },
    });
    for (const v of SCHEMA_VERSIONS.filter((x) => x !== '2-0-0')) {
      expect(renamedFields(v)).toStrictEqual({});
    }
    expect(renamedFields('constructor')).toStrictEqual({});
  });
});
