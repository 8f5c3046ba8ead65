/**
 * Every schema version's events in the one stored shape. The store keeps one set of columns for
 * all versions, named as schema 1-x names the fields (1-1-0 only added fields, each with its own
 * column). 2-0-0 renamed the cumulative counters whose 1-x names meant two things; their values
 * go back into the 1-x columns, whose meaning per event type is unchanged:
 *
 * | 2-0-0 field (event types)                  | stored column |
 * | ------------------------------------------ | ------------- |
 * | `stall_total_ms` (heartbeat, session_end)  | `stall_ms`    |
 * | `avg_bitrate` (heartbeat)                  | `bitrate`     |
 *
 * Pure and dependency-free: the core pipeline calls it for every event it stores, and the edge's
 * `timestream-flink` writer for every event it writes.
 */

/** Per version, per event type: field renamed in the wire format → its stored name. */
const RENAMES: Readonly<
  Record<string, Readonly<Record<string, Readonly<Record<string, string>>>>>
> = {
  '2-0-0': {
    heartbeat: { stall_total_ms: 'stall_ms', avg_bitrate: 'bitrate' },
    session_end: { stall_total_ms: 'stall_ms' },
  },
};

/** The stored name of each renamed field of `schemaVersion` (for docs, `beacons schemas` and tests). */
export function renamedFields(
  schemaVersion: string,
): Readonly<Record<string, Readonly<Record<string, string>>>> {
  return Object.hasOwn(RENAMES, schemaVersion) ? RENAMES[schemaVersion] : {};
}

/**
 * The event in the stored shape. Returns the same object when nothing is renamed (every 1-x
 * event), a copy otherwise; never changes its argument. A wire name whose stored name is also
 * present (which the schema forbids) keeps the stored name's value and drops the wire one, so a
 * hand-made record cannot smuggle two values into one column.
 */
export function upcastEvent<E extends Record<string, unknown>>(schemaVersion: string, event: E): E {
  const byType = Object.hasOwn(RENAMES, schemaVersion) ? RENAMES[schemaVersion] : undefined;
  if (!byType) return event;
  const type = event.type;
  const renames =
    typeof type === 'string' && Object.hasOwn(byType, type) ? byType[type] : undefined;
  if (!renames) return event;
  let renamed = false;
  for (const from in renames) {
    if (Object.hasOwn(event, from)) renamed = true;
  }
  if (!renamed) return event;
  // A new object filled key by key (no spread, no delete): it keeps V8's fast properties, and the
  // core reads some 30 fields of it.
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(event)) {
    const to = Object.hasOwn(renames, key) ? renames[key] : undefined;
    if (to === undefined) {
      // An own `__proto__` key (JSON.parse makes one) stays a plain field, as a spread keeps it.
      if (key === '__proto__')
        Object.defineProperty(out, key, {
          value: event[key],
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else out[key] = event[key];
    } else if (!Object.hasOwn(event, to)) {
      out[to] = event[key];
    }
  }
  return out as E;
}

/**
 * The inverse of {@link upcastEvent}: an event in the stored shape with its fields named as
 * `schemaVersion` names them on the wire. The SDK and the simulator encode with it, so what they
 * send and what the pipeline stores cannot disagree. Returns the same object when nothing is
 * renamed, a copy otherwise; never changes its argument.
 * @example downcastEvent('2-0-0', heartbeat) // stall_ms → stall_total_ms, bitrate → avg_bitrate
 */
export function downcastEvent<E extends { type: string }>(schemaVersion: string, event: E): E {
  const byType = Object.hasOwn(RENAMES, schemaVersion) ? RENAMES[schemaVersion] : undefined;
  const renames = byType && Object.hasOwn(byType, event.type) ? byType[event.type] : undefined;
  if (!renames) return event;
  const out: Record<string, unknown> = { ...event };
  for (const wire in renames) {
    const stored = renames[wire];
    if (stored in out) {
      out[wire] = out[stored];
      delete out[stored];
    }
  }
  return out as E;
}
