import { describe, expect, it } from 'vitest';
import type { SessionTimelineEvent } from '../../core-pipeline/queries/types.js';
import { LIFECYCLE, stallSpans, typeColor } from '../../dashboard/session-marks.js';
import { EVENT_TYPES } from '../../schemas/index.js';

const ev = (type: string, t: number, fields: SessionTimelineEvent['fields'] = {}) =>
  ({
    type,
    t,
    time: t,
    receivedAt: t,
    seq: 0,
    playhead: 0,
    eventId: `e${t}`,
    fields,
  }) as SessionTimelineEvent;

describe('session timeline', () => {
  it('orders lanes as the schema lists event types', () => {
    expect([...LIFECYCLE]).toStrictEqual([...EVENT_TYPES]);
    expect(new Set(EVENT_TYPES.map(typeColor)).size).toBe(EVENT_TYPES.length);
  });

  it('turns stall_start … stall_end into spans in seconds', () => {
    expect(
      stallSpans([
        ev('stall_start', 1000),
        ev('stall_end', 1500, { stall_ms: 500 }),
        // An end whose start was not stored: its own stall_ms says where the stall began.
        ev('stall_end', 4000, { stall_ms: 250 }),
        ev('stall_start', 6000),
        ev('heartbeat', 9000),
      ]),
    ).toStrictEqual([
      [1, 1.5],
      [3.75, 4],
      [6, 9],
    ]);
    expect(stallSpans([])).toStrictEqual([]);
  });
});
