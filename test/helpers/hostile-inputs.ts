/**
 * Hostile but ordinary inputs for the ingest path, each with what the edge must answer: the
 * status and the reason of every bad row it keeps (one per refused event, or one for a refused
 * body). Each starts from a valid three-event batch (started, paused, volume_changed) and breaks
 * one thing, as an object or as JSON text (for what an object cannot hold: duplicate keys,
 * number spellings). These are the inputs the edge once acknowledged and the core then refused,
 * and their well-behaved neighbours.
 */

/** One input and the outcome the edge must give it. */
export interface HostileInput {
  name: string;
  /** Changes the parsed batch before it is serialized. */
  obj?: (b: Batch) => void;
  /** Changes the serialized JSON text. */
  text?: (t: string, b: Batch) => string;
  /** Extra or replacing request headers (null removes one). */
  headers?: Record<string, string | null>;
  requestId?: string;
  /** The status the client gets. */
  status: number;
  /** Reasons of the bad rows kept, in index order (empty when everything is stored). */
  badRows: string[];
}

type Batch = Record<string, unknown> & { events: Record<string, unknown>[] };

const HI = '\uD800';
const LO = '\uDC00';
const EMOJI = '😀';

/** Replaces event 1 (paused) by an error event with these fields. */
function errorEvent(b: Batch, fields: Record<string, unknown>): void {
  const { id, seq, ts, playhead } = b.events[1];
  b.events[1] = { type: 'error', id, seq, ts, playhead, code: 'E1', fatal: false, ...fields };
}

/** Replaces the first `"key":value` of event 0 in the JSON text. */
function number0(key: string, spelled: string) {
  return (t: string, b: Batch) => t.replace(`"${key}":${b.events[0][key]}`, `"${key}":${spelled}`);
}

const ENVELOPE_BAD = ['invalid_envelope'];
const EVENT_1_BAD = ['invalid_event'];

export const HOSTILE_INPUTS: readonly HostileInput[] = [
  { name: 'a valid batch', status: 204, badRows: [] },
  ...['content_id', 'sdk_name', 'sdk_version', 'player_name', 'player_version'].map(
    (field): HostileInput => ({
      name: `lone surrogate in ${field}`,
      obj: (b) => {
        b[field] = `x${HI}`;
      },
      status: 400,
      badRows: ENVELOPE_BAD,
    }),
  ),
  {
    name: 'reversed surrogate pair in content_id',
    obj: (b) => {
      b.content_id = `${LO}${HI}`;
    },
    status: 400,
    badRows: ENVELOPE_BAD,
  },
  {
    name: '256 lone surrogates as content_id',
    obj: (b) => {
      b.content_id = HI.repeat(256);
    },
    status: 400,
    badRows: ENVELOPE_BAD,
  },
  {
    name: 'duplicate content_id key, bad value last',
    text: (t) => t.replace(/"content_id":"([^"]*)"/, '"content_id":"$1","content_id":"\\ud800"'),
    status: 400,
    badRows: ENVELOPE_BAD,
  },
  {
    name: 'duplicate content_id key, bad value first',
    text: (t) => t.replace('"content_id":', '"content_id":"\\ud800","content_id":'),
    status: 204,
    badRows: [],
  },
  {
    name: 'lone surrogate in error code',
    obj: (b) => errorEvent(b, { code: `E${HI}` }),
    status: 200,
    badRows: EVENT_1_BAD,
  },
  {
    name: 'lone surrogate in error message',
    obj: (b) => errorEvent(b, { message: `m${LO}` }),
    status: 200,
    badRows: EVENT_1_BAD,
  },
  {
    name: 'lone surrogate in an event id',
    obj: (b) => {
      b.events[1].id = `abcdefgh${HI}`;
    },
    status: 200,
    badRows: EVENT_1_BAD,
  },
  {
    name: 'NUL, noncharacters and controls in strings',
    obj: (b) => {
      b.content_id = 'a\u0000b\uFFFF\uFFFE\uFDD0\u{10FFFF}\uFEFF\u202E';
      errorEvent(b, { message: 'x\u0000y' });
    },
    status: 204,
    badRows: [],
  },
  {
    name: '256 astral code points as content_id',
    obj: (b) => {
      b.content_id = EMOJI.repeat(256);
    },
    status: 204,
    badRows: [],
  },
  {
    name: '257 astral code points as content_id',
    obj: (b) => {
      b.content_id = EMOJI.repeat(257);
    },
    status: 400,
    badRows: ENVELOPE_BAD,
  },
  {
    name: 'seq at int32 max, and spelled 0.0 / 1e0',
    obj: (b) => {
      b.events[2].seq = 2147483647;
    },
    text: (t, b) => number0('seq', '0.0')(t, b).replace(`"seq":${b.events[1].seq},`, '"seq":1e0,'),
    status: 204,
    badRows: [],
  },
  {
    name: 'seq past int32',
    obj: (b) => {
      b.events[1].seq = 2147483648;
    },
    status: 200,
    badRows: EVENT_1_BAD,
  },
  {
    name: 'playhead 5e-324 and 1e-400 (underflows to 0)',
    text: (t, b) =>
      number0('playhead', '5e-324')(t, b).replace(
        `"playhead":${b.events[1].playhead}`,
        '"playhead":1e-400',
      ),
    status: 204,
    badRows: [],
  },
  {
    name: 'playhead 1e400 (Infinity after JSON.parse)',
    text: number0('playhead', '1e400'),
    status: 200,
    badRows: ['invalid_event'],
  },
  {
    name: 'CloudFront city cut mid surrogate pair at 128 units',
    headers: { 'cloudfront-viewer-city': `${'a'.repeat(127)}${EMOJI}` },
    status: 204,
    badRows: [],
  },
  {
    name: 'CloudFront country with a raw lone surrogate',
    headers: { 'cloudfront-viewer-country': `D${HI}` },
    status: 204,
    badRows: [],
  },
  {
    name: 'CloudFront city %-encoding a surrogate (%ED%A0%80)',
    headers: { 'cloudfront-viewer-city': 'x%ED%A0%80' },
    status: 204,
    badRows: [],
  },
  { name: 'empty CloudFront request id', requestId: '', status: 204, badRows: [] },
  {
    name: 'empty request id and a refused event',
    requestId: '',
    obj: (b) => {
      b.events[1].seq = -1;
    },
    status: 200,
    badRows: EVENT_1_BAD,
  },
  {
    name: 'session_id with a lone surrogate (echoed in the bad row)',
    obj: (b) => {
      b.session_id = `abcdefgh${HI}`;
    },
    status: 400,
    badRows: ENVELOPE_BAD,
  },
  {
    name: 'unknown schema_version cut mid pair in the detail',
    obj: (b) => {
      b.schema_version = `${'x'.repeat(39)}${EMOJI}`;
    },
    status: 400,
    badRows: ['unknown_schema_version'],
  },
  {
    name: 'unknown property name cut mid pair in the detail',
    obj: (b) => {
      b.events[1][`${'k'.repeat(63)}${EMOJI}`] = 1;
    },
    status: 200,
    badRows: EVENT_1_BAD,
  },
  {
    name: 'unknown property name with a lone surrogate',
    obj: (b) => {
      b.events[1][`k${HI}`] = 1;
    },
    status: 200,
    badRows: EVENT_1_BAD,
  },
  {
    name: '__proto__ key in an event',
    text: (t, b) =>
      t.replace(`"id":"${b.events[1].id}"`, `"id":"${b.events[1].id}","__proto__":null`),
    status: 200,
    badRows: EVENT_1_BAD,
  },
  {
    name: 'every event unstorable',
    obj: (b) => {
      for (const e of b.events) e.id = `abcdefgh${LO}`;
    },
    status: 400,
    badRows: ['invalid_event', 'invalid_event', 'invalid_event'],
  },
];
