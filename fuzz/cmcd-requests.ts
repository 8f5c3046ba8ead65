/**
 * CMCD event-report requests for the fuzz run: bodies of report lines as players send them (made
 * by cml-cmcd's own encoder from generated report data, so they are the shapes CmcdReporter
 * posts), lines of structured-field garbage, the JSON array form with report objects and JSON
 * garbage, content types, methods, paths and event-target queries, ordinary and hostile, and
 * byte mutations on top (fuzz/mutate.ts). `buildCmcdRequest` turns a plan into an IngestRequest.
 */
import { CMCD_EVENT_MODE, CmcdEventType, CmcdPlayerState, encodeCmcd } from '@svta/cml-cmcd';
import fc from 'fast-check';
import { EDGE_HEADER } from '../edge/config.js';
import { ROLLOUT_HEADERS } from '../edge/rollout.js';
import type { IngestRequest } from '../edge/ingest/types.js';
import { CMCD_PATH } from '../schemas/cmcd.js';
import { EXAMPLE_VIEWER_HEADERS } from '../schemas/examples.js';
import { LIMITS } from '../schemas/limits.js';
import { applyMutations, type Mutation, mutations } from './mutate.js';
import { anyChar, codePoints, wellFormedChar } from './strings.js';

/** The server clock of every generated request (as fuzz/requests.ts): 2026-11-28T12:00:00Z. */
const FUZZ_NOW = Date.UTC(2026, 10, 28, 12, 0, 0);

/**
 * One line of a line-form body, before it is joined: a v2 report as the reporter encodes it, a
 * report of another shape (CMCD v1 values, no `ts`), or garbage.
 */
type Line = { kind: 'report' | 'other' | 'garbage'; text: string };

/** What the body is before mutation. */
export type CmcdBodyPlan =
  | { kind: 'lines'; lines: Line[]; eol: '\n' | '\r\n'; trailing: boolean }
  | { kind: 'json'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array };

/** Everything about a CMCD request except its id. */
export interface CmcdRequestPlan {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: CmcdBodyPlan;
  mutations: Mutation[];
}

const EVENTS = Object.values(CmcdEventType);
const STATES = Object.values(CmcdPlayerState);

/** A few sessions per body, so one request often carries several (one record each). */
const SID = fc.oneof(
  {
    arbitrary: fc.constantFrom('6e2fb550-c457-11e9-bb97-0800200c9a66', 'sess-a', 'sess-b'),
    weight: 12,
  },
  { arbitrary: codePoints(wellFormedChar, 0, 80), weight: 1 },
);

/**
 * Report time: within seconds of the server clock mostly (the lines of one batch are close
 * together, as a player's are), sometimes hours off, sometimes absurd.
 */
const TS = fc.oneof(
  { arbitrary: fc.integer({ min: -20_000, max: 2_000 }).map((d) => FUZZ_NOW + d), weight: 40 },
  { arbitrary: fc.integer({ min: -7_200_000, max: 60_000 }).map((d) => FUZZ_NOW + d), weight: 4 },
  { arbitrary: fc.constantFrom(0, -1, 2 ** 53, FUZZ_NOW / 1000, 4_102_444_800_000), weight: 1 },
);

const maybe = <T>(a: fc.Arbitrary<T>, weight = 3) =>
  fc.oneof({ arbitrary: a, weight }, { arbitrary: fc.constant(undefined), weight: 1 });

/** The keys CTA-5004-B requires with some event types (cml-cmcd's validator checks them). */
const REQUIRED: Record<string, Record<string, unknown>> = {
  ps: { sta: 'p' },
  pr: { pr: 1.5 },
  ce: { cen: 'chapter' },
  b: { bg: true },
  e: { ec: ['MEDIA_ERR_DECODE'] },
  c: { cid: 'next-title' },
  rr: { url: 'https://cdn.example/v/seg-2.m4s', rc: 200, ttfb: 40, ttlb: 120 },
  bc: { br: [1600] },
};

/** Report data as a player's reporter holds it: the keys hls.js and dash.js send, and custom ones. */
const REPORT_DATA: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    e: fc.oneof(
      { arbitrary: fc.constantFrom(...EVENTS), weight: 30 },
      { arbitrary: fc.constant(undefined), weight: 1 },
    ),
    // Most reports carry what their event type requires (as a player's do); some do not.
    complete: fc.nat(9).map((n) => n > 0),
    sta: maybe(fc.constantFrom(...STATES)),
    sid: maybe(SID, 40),
    cid: maybe(fc.constantFrom('big-buck-bunny', 'live-1', '')),
    sn: maybe(fc.oneof(fc.nat(1000), fc.integer({ min: -5, max: 2 ** 31 }))),
    // Always set: the encoder would stamp a missing ts with the current time (not reproducible).
    ts: TS,
    v: fc.constantFrom(2, 2, 2, 2, 2, 2, 2, 2, 1, undefined),
    br: maybe(fc.array(fc.constantFrom(800, 1600, 3000), { minLength: 1, maxLength: 3 }), 1),
    bl: maybe(fc.array(fc.nat(60_000), { minLength: 1, maxLength: 2 }), 1),
    ec: maybe(fc.array(fc.constantFrom('MEDIA_ERR_DECODE', 'E1', 'E1', ''), { maxLength: 2 }), 1),
    rc: maybe(fc.constantFrom(200, 206, 404, 500), 1),
    ttfb: maybe(fc.nat(5000), 1),
    ttlb: maybe(fc.nat(20_000), 1),
    url: maybe(fc.constantFrom('https://cdn.example/v/seg-1.m4s', 'not a url'), 1),
    ot: maybe(fc.constantFrom('v', 'a', 'm', 'i'), 1),
    custom: maybe(
      fc.tuple(
        fc.constantFrom('com.example-tier', 'x-foo', 'org.test-n'),
        fc.oneof(
          { arbitrary: fc.string({ maxLength: 20 }), weight: 4 },
          fc.integer(),
          fc.boolean(),
        ),
      ),
      1,
    ),
  })
  .map(({ custom, complete, ...keys }) => {
    const data: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(keys)) if (v !== undefined) data[k] = v;
    if (custom) data[custom[0]] = custom[1];
    if (complete)
      for (const [k, v] of Object.entries(REQUIRED[String(data.e)] ?? {})) data[k] ??= v;
    return data;
  });

/**
 * A report line exactly as cml-cmcd encodes it for an event target (as CmcdReporter posts it),
 * sometimes without its `ts`; garbage if the encoder refuses the data.
 */
const REPORT_LINE: fc.Arbitrary<Line> = fc
  .tuple(REPORT_DATA, fc.nat(19))
  .map(([data, roll]): Line => {
    let text: string;
    try {
      text = encodeCmcd(data as never, { reportingMode: CMCD_EVENT_MODE });
    } catch (err) {
      return { kind: 'garbage', text: `e=ps,sid="${String(err).slice(0, 20)}` };
    }
    if (roll === 0) return { kind: 'other', text: text.replace(/(^|,)ts=[^,]*/, '') };
    return { kind: data.v === 1 ? 'other' : 'report', text };
  });

/** Text in the structured-field alphabet (and beyond): what a broken encoder or a proxy makes. */
const SF_GARBAGE: fc.Arbitrary<Line> = fc
  .oneof(
    fc
      .array(fc.constantFrom(...'ab09=,;"()?*:-_.\\ \t@/%é😀'.split(''), '\u0000', '\ud800'), {
        maxLength: 60,
      })
      .map((cs) => cs.join('')),
    codePoints(anyChar, 0, 40),
    fc.constantFrom(
      'sid=',
      'sid="unterminated',
      'e=ps,e=ps,sid="s",ts=1',
      'ts=1.5e3,sid="s"',
      'br=(1 2,sid="s"',
      'sid="s";p=1,ts=1',
      '=',
      ',',
      'SID="s",TS=1',
      `sid="${'s'.repeat(9000)}",ts=1`,
    ),
  )
  .map((text): Line => ({ kind: 'garbage', text }));

const LINES = fc.oneof(
  { arbitrary: fc.array(REPORT_LINE, { minLength: 1, maxLength: 12 }), weight: 10 },
  {
    arbitrary: fc.array(fc.oneof({ arbitrary: REPORT_LINE, weight: 4 }, SF_GARBAGE), {
      minLength: 1,
      maxLength: 12,
    }),
    weight: 6,
  },
  // Past the events-per-batch limit, to reach the whole-body refusal.
  {
    arbitrary: fc.array(REPORT_LINE, {
      minLength: LIMITS.maxEventsPerBatch - 2,
      maxLength: LIMITS.maxEventsPerBatch + 3,
    }),
    weight: 1,
  },
);

const LINE_BODY: fc.Arbitrary<CmcdBodyPlan> = fc.record({
  kind: fc.constant('lines' as const),
  lines: LINES,
  eol: fc.constantFrom<'\n' | '\r\n'>('\n', '\n', '\r\n'),
  trailing: fc.boolean(),
});

/** The JSON array form: decoded report objects as older builds send them, and JSON garbage. */
const JSON_BODY: fc.Arbitrary<CmcdBodyPlan> = fc
  .oneof(
    { arbitrary: fc.array(REPORT_DATA, { minLength: 1, maxLength: 10 }), weight: 8 },
    {
      arbitrary: fc.array(
        fc.oneof({ arbitrary: REPORT_DATA, weight: 3 }, fc.jsonValue({ maxDepth: 3 })),
        {
          maxLength: 10,
        },
      ),
      weight: 3,
    },
    { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 1 },
  )
  .map((value): CmcdBodyPlan => ({ kind: 'json', text: JSON.stringify(value) ?? 'null' }));

const OTHER_BODY: fc.Arbitrary<CmcdBodyPlan> = fc.oneof(
  fc
    .constantFrom('', '\n', '\r\n\r\n', ' ', '[]', '[[[[[[[[[[]]]]]]]]]]', '\ufeffsid="s",ts=1')
    .map((t): CmcdBodyPlan => ({ kind: 'bytes', bytes: new TextEncoder().encode(t) })),
  fc.uint8Array({ maxLength: 64 }).map((bytes): CmcdBodyPlan => ({ kind: 'bytes', bytes })),
);

const CONTENT_TYPES = fc.oneof(
  { arbitrary: fc.constant('application/cmcd'), weight: 12 },
  {
    arbitrary: fc.constantFrom(
      'text/plain;charset=UTF-8',
      'application/cmcd; charset=utf-8',
      'APPLICATION/CMCD',
      'application/cmcd; charset=latin1',
      'application/xml',
      '',
    ),
    weight: 2,
  },
  { arbitrary: fc.constant(undefined), weight: 1 },
);

const QUERIES = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      'player=hls.js&player_version=1.7.4',
      'player=dash.js&player_version=5.2.1',
    ),
    weight: 10,
  },
  {
    arbitrary: fc.constantFrom(
      '',
      'player=hls.js',
      'player=&player_version=',
      'player=%ZZ&player_version=%F0%9F%98%80',
      'player=a&player=b&player_version=1',
      `player=${'x'.repeat(300)}&player_version=1`,
      'player=hls.js&player_version=1.7.4&cmcd=sid%3D%22x%22',
    ),
    weight: 2,
  },
  { arbitrary: codePoints(wellFormedChar, 0, 40), weight: 1 },
);

/**
 * Rollout rules as the viewer-request function passes them on: none mostly; otherwise rules on the
 * CMCD schema, the CMCD version and the player release, some refusing every session, some a
 * sample of them (so one request can hold accepted and refused sessions), and one unreadable.
 */
const ROLLOUT = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 6 },
  {
    arbitrary: fc.record({
      schema: fc.constantFrom(
        '-',
        'cmcd-1-0-0:retired',
        'cmcd-1-0-0:live,sample=0.5',
        'cmcd-1-0-0:deprecated,sunset=2027-03-01',
        'cmcd-1-0-0:maybe',
      ),
      sdk: fc.constantFrom(
        '-',
        'cmcd@2:retired',
        'cmcd@2:live,sample=0.5',
        'hls.js@1.7.4:retired',
        'dash.js@5.2.1:deprecated,sunset=2027-03-01',
      ),
    }),
    weight: 2,
  },
);

/** CMCD requests as a player (or anything else) might send them to the event target. */
export function cmcdRequestPlans(opts: { mutate: boolean }): fc.Arbitrary<CmcdRequestPlan> {
  return fc
    .record({
      method: fc.oneof(
        { arbitrary: fc.constant('POST'), weight: 30 },
        { arbitrary: fc.constantFrom('OPTIONS', 'GET', 'post'), weight: 1 },
      ),
      path: fc.oneof(
        { arbitrary: fc.constant(CMCD_PATH), weight: 40 },
        { arbitrary: fc.constantFrom(`${CMCD_PATH}/`, '/v1/CMCD'), weight: 1 },
      ),
      query: QUERIES,
      headers: fc.constant({}),
      contentType: CONTENT_TYPES,
      rollout: ROLLOUT,
      // A JSON-form body is sent as JSON by the players that use it, mostly.
      jsonType: fc.nat(7).map((n) => n > 0),
      body: fc.oneof(
        { arbitrary: LINE_BODY, weight: 14 },
        { arbitrary: JSON_BODY, weight: 4 },
        { arbitrary: OTHER_BODY, weight: 1 },
      ),
      mutations: opts.mutate ? mutations(LIMITS.maxBodyBytes) : fc.constant<Mutation[]>([]),
    })
    .map(({ contentType, jsonType, rollout, ...plan }) => {
      const type = plan.body.kind === 'json' && jsonType ? 'application/json' : contentType;
      const headers: Record<string, string> = {
        ...EXAMPLE_VIEWER_HEADERS,
        origin: 'https://player.example',
        [EDGE_HEADER]: `pop=FRA56-C1;region=eu-central-1;t=${FUZZ_NOW}`,
      };
      if (type !== undefined) headers['content-type'] = type;
      if (rollout) {
        headers[ROLLOUT_HEADERS.schema] = rollout.schema;
        headers[ROLLOUT_HEADERS.sdk] = rollout.sdk;
      }
      return { ...plan, headers };
    });
}

/** The IngestRequest of a plan (the query as CloudFront forwards it, without `?`). */
export function buildCmcdRequest(plan: CmcdRequestPlan, requestId: string): IngestRequest {
  return {
    method: plan.method,
    path: plan.path,
    ...(plan.query ? { query: plan.query } : {}),
    headers: { ...plan.headers },
    body: applyMutations(bodyBytes(plan.body), plan.mutations),
    bodyTruncated: false,
    requestId,
    servingRegion: 'eu-central-1',
    now: FUZZ_NOW,
  };
}

function bodyBytes(b: CmcdBodyPlan): Uint8Array {
  if (b.kind === 'bytes') return b.bytes;
  const text =
    b.kind === 'json' ? b.text : b.lines.map((l) => l.text).join(b.eol) + (b.trailing ? b.eol : '');
  return new TextEncoder().encode(text);
}
