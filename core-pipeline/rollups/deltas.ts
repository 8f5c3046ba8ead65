/**
 * The delta rows of one batch, grouped per (minute, slice) and per (minute, type) while the
 * engine walks the batch, so a batch appends one row per key it touched, not one per event.
 * Pure: no I/O.
 */
import { emptyAggregate, type QoeAggregate, type SliceKey } from './aggregate.js';
import type { InternedKey } from './session-state.js';

/** What one batch adds to one (minute, slice). Sums may be negative (a retraction). */
export interface RollupDelta {
  minuteMs: number;
  key: SliceKey;
  agg: QoeAggregate;
}

/** Events of one type in one minute. */
export interface TypeCountDelta {
  minuteMs: number;
  type: string;
  n: number;
}

/** Accumulates a batch's deltas. */
export class DeltaBuffer {
  private readonly rollups = new Map<string, RollupDelta>();
  private readonly types = new Map<string, TypeCountDelta>();
  /** The last aggregate handed out, to skip the Map lookup for runs of one session's events. */
  private lastId = '';
  private lastMinute = Number.NaN;
  private lastAgg: QoeAggregate | null = null;

  /** The aggregate of (minute, key), created empty on first use. */
  at(minuteMs: number, key: InternedKey): QoeAggregate {
    if (this.lastAgg !== null && minuteMs === this.lastMinute && key.id === this.lastId) {
      return this.lastAgg;
    }
    const id = `${minuteMs}\u0002${key.id}`;
    let d = this.rollups.get(id);
    if (d === undefined) {
      d = { minuteMs, key: key.key, agg: emptyAggregate() };
      this.rollups.set(id, d);
    }
    this.lastId = key.id;
    this.lastMinute = minuteMs;
    this.lastAgg = d.agg;
    return d.agg;
  }

  /** Counts one event of `type` at `minuteMs`. */
  countType(minuteMs: number, type: string): void {
    const id = `${minuteMs}\u0002${type}`;
    const t = this.types.get(id);
    if (t === undefined) this.types.set(id, { minuteMs, type, n: 1 });
    else t.n += 1;
  }

  /** The rollup deltas, leaving out keys whose every sum and sketch count came to zero. */
  rollupDeltas(): RollupDelta[] {
    const out: RollupDelta[] = [];
    for (const d of this.rollups.values()) if (!isZero(d.agg)) out.push(d);
    return out;
  }

  /** The type counts. */
  typeCounts(): TypeCountDelta[] {
    return [...this.types.values()];
  }
}

function isZero(a: QoeAggregate): boolean {
  for (const n of a.startupSketch.values()) if (n !== 0) return false;
  for (const k in a) {
    if (k !== 'startupSketch' && (a as unknown as Record<string, number>)[k] !== 0) return false;
  }
  return true;
}
