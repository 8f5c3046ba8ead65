/**
 * Whole ingest requests: a body from the schema arbitraries (with event times kept near `sent_at`
 * most of the time, so batches are not all refused for their clocks), or bytes that are no batch
 * at all; content types, methods, paths and CloudFront headers, ordinary and hostile; and byte
 * mutations on top. A plan is turned into an IngestRequest by `buildRequest`, which can make
 * event ids unique per request so that many requests can share one store.
 */
import fc from 'fast-check';
import { EDGE_HEADER } from '../edge/config.js';
import type { IngestRequest } from '../edge/ingest/types.js';
import { EXAMPLE_VIEWER_HEADERS } from '../schemas/examples.js';
import { LIMITS } from '../schemas/limits.js';
import { J, type JsonNode, lastEntry, toJsonText, utf8Bytes } from './json-text.js';
import { applyMutations, type Mutation, mutations } from './mutate.js';
import type { SchemaArbitraries } from './schema-arbitrary.js';
import { anyChar, codePoints, wellFormedChar } from './strings.js';

/** The server clock of every generated request: 2026-11-28T12:00:00Z. */
const FUZZ_NOW = Date.UTC(2026, 10, 28, 12, 0, 0);

/** What the body is before mutation. */
export type BodyPlan =
  | { kind: 'tree'; tree: JsonNode; bom: boolean; loneSurrogates: 'replace' | 'wtf8' }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'none' };

/** Everything about a request except its id. */
export interface RequestPlan {
  method: string;
  path: string;
  headers: Record<string, string>;
  bodyTruncated: boolean;
  body: BodyPlan;
  mutations: Mutation[];
}

const VIEWER = EXAMPLE_VIEWER_HEADERS;

const GEO_NAMES = Object.keys(VIEWER).filter((n) => n.startsWith('cloudfront-viewer-'));

const CONTENT_TYPES = fc.oneof(
  { arbitrary: fc.constant('text/plain;charset=UTF-8'), weight: 8 },
  { arbitrary: fc.constant('application/json'), weight: 6 },
  {
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'text/plain; charset="UTF8"',
      'TEXT/PLAIN',
      'text/plain; charset=iso-8859-1',
      'application/json;charset=utf-16',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      '',
      ';',
      '\u00e9/json',
    ),
    weight: 2,
  },
  { arbitrary: fc.constant(undefined), weight: 1 },
);

const METHODS = fc.oneof(
  { arbitrary: fc.constant('POST'), weight: 30 },
  { arbitrary: fc.constantFrom('post', 'GET', 'PUT', 'OPTIONS', 'DELETE', 'HEAD', ''), weight: 1 },
);

const PATHS = fc.oneof(
  { arbitrary: fc.constant('/v1/events'), weight: 30 },
  {
    arbitrary: fc.constantFrom(
      '/v1/events/',
      '/',
      '/v1/Events',
      '/v2/events',
      '',
      '/v1/events\u0000',
    ),
    weight: 1,
  },
);

/** A CloudFront header value: ordinary, or text a header should never hold (long, astral, unpaired). */
const HEADER_VALUE = fc.oneof(
  codePoints(wellFormedChar, 0, 40),
  codePoints(anyChar, 100, 140),
  fc.constantFrom('😀'.repeat(70), `${'a'.repeat(127)}😀`, '\ud800', '-91', 'NaN', '1e400'),
);

const HEADERS: fc.Arbitrary<Record<string, string>> = fc
  .record({
    contentType: CONTENT_TYPES,
    stamp: fc.oneof(
      { arbitrary: fc.constant(`pop=FRA56-C1;region=eu-central-1;t=${FUZZ_NOW}`), weight: 20 },
      {
        arbitrary: fc.constantFrom(
          'pop=<script>;region=Mars;t=soon',
          `t=${FUZZ_NOW + 3_600_000}`,
          '',
          'pop=\ud800;region=eu-central-1',
        ),
        weight: 1,
      },
    ),
    geo: fc.oneof(
      { arbitrary: fc.constant({}), weight: 8 },
      { arbitrary: fc.dictionary(fc.constantFrom(...GEO_NAMES), HEADER_VALUE), weight: 2 },
      { arbitrary: fc.constant(null), weight: 1 },
    ),
    contentLength: fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 20 },
      { arbitrary: fc.constantFrom('99999999', 'abc', '-1', '65537', '0'), weight: 1 },
    ),
  })
  .map(({ contentType, stamp, geo, contentLength }) => {
    const h: Record<string, string> = { origin: 'https://player.example', [EDGE_HEADER]: stamp };
    if (geo !== null) Object.assign(h, VIEWER, geo);
    if (contentType !== undefined) h['content-type'] = contentType;
    if (contentLength !== undefined) h['content-length'] = contentLength;
    return h;
  });

/** Client clock when the batch was sent: near the server's, sometimes at the schema's ends. */
const SENT_AT = fc.oneof(
  {
    arbitrary: fc.integer({ min: -3_600_000, max: 3_600_000 }).map((d) => FUZZ_NOW + d),
    weight: 12,
  },
  { arbitrary: fc.constantFrom(0, 4_102_444_800_000, FUZZ_NOW - 86_400_000), weight: 1 },
);

/** How far before sent_at an event happened: mostly inside the allowed window, sometimes on or past its edges. */
const EVENT_AGE = fc.oneof(
  { arbitrary: fc.integer({ min: -60_000, max: 86_400_000 }), weight: 12 },
  { arbitrary: fc.constantFrom(-60_000, -60_001, 86_400_000, 86_400_001), weight: 1 },
);

/** A batch tree whose valid integer `sent_at` and `ts` values are moved close together. */
function batchTree(schema: SchemaArbitraries): fc.Arbitrary<JsonNode> {
  return fc
    .tuple(
      schema.document(),
      SENT_AT,
      fc.array(EVENT_AGE, { minLength: 8, maxLength: 8 }),
      fc.nat(9),
    )
    .map(([tree, sentAt, ages, keep]) => (keep === 0 ? tree : alignTimes(tree, sentAt, ages)));
}

function alignTimes(tree: JsonNode, sentAt: number, ages: number[]): JsonNode {
  if (tree.k !== 'obj' || !isInt(lastEntry(tree, 'sent_at'))) return tree;
  return J.objOf(
    tree.entries.map(([k, v]) => {
      if (k.v === 'sent_at' && isInt(v)) return [k, J.num(sentAt)];
      if (k.v !== 'events' || v.k !== 'arr') return [k, v];
      const items = v.items.map((ev, i) =>
        ev.k !== 'obj'
          ? ev
          : J.objOf(
              ev.entries.map(([ek, ew]) =>
                ek.v === 'ts' && isInt(ew)
                  ? [ek, J.num(Math.max(0, sentAt - ages[i % ages.length]))]
                  : [ek, ew],
              ),
            ),
      );
      return [k, J.arr(items)];
    }),
  );
}

function isInt(n: JsonNode | undefined): boolean {
  return n?.k === 'num' && Number.isInteger(Number(n.raw));
}

const OTHER_BODIES: fc.Arbitrary<BodyPlan> = fc.oneof(
  fc.constant<BodyPlan>({ kind: 'none' }),
  fc
    .constantFrom('', '   \n\t', '[]', '"x"', '1', 'null', '{}', '{"events":[]}', '\ufeff{}')
    .map((t): BodyPlan => ({ kind: 'bytes', bytes: new TextEncoder().encode(t) })),
  fc.uint8Array({ maxLength: 64 }).map((bytes): BodyPlan => ({ kind: 'bytes', bytes })),
);

/** Requests as a player (or anything else) might send them; `mutate` adds byte-level damage. */
export function requestPlans(
  schema: SchemaArbitraries,
  opts: { mutate: boolean },
): fc.Arbitrary<RequestPlan> {
  const tree = fc
    .record({
      tree: batchTree(schema),
      bom: fc.oneof(
        { arbitrary: fc.constant(false), weight: 9 },
        { arbitrary: fc.constant(true), weight: 1 },
      ),
      loneSurrogates: fc.constantFrom<'replace' | 'wtf8'>('replace', 'replace', 'replace', 'wtf8'),
    })
    .map((b): BodyPlan => ({ kind: 'tree', ...b }));
  return fc.record({
    method: METHODS,
    path: PATHS,
    headers: HEADERS,
    bodyTruncated: fc.oneof(
      { arbitrary: fc.constant(false), weight: 40 },
      { arbitrary: fc.constant(true), weight: 1 },
    ),
    body: fc.oneof({ arbitrary: tree, weight: 20 }, { arbitrary: OTHER_BODIES, weight: 1 }),
    mutations: opts.mutate ? mutations(LIMITS.maxBodyBytes) : fc.constant([]),
  });
}

/**
 * The IngestRequest of a plan. With `idTag`, every schema-valid event id becomes `idTag` + id
 * (cut to the longest id), so ids never repeat across requests while duplicates inside one
 * batch stay duplicates.
 */
export function buildRequest(plan: RequestPlan, requestId: string, idTag?: string): IngestRequest {
  return {
    method: plan.method,
    path: plan.path,
    headers: { ...plan.headers },
    body: bodyBytes(plan, idTag),
    bodyTruncated: plan.bodyTruncated,
    requestId,
    servingRegion: 'eu-central-1',
    now: FUZZ_NOW,
  };
}

function bodyBytes(plan: RequestPlan, idTag: string | undefined): Uint8Array | null {
  const b = plan.body;
  if (b.kind === 'none')
    return plan.mutations.length > 0 ? applyMutations(new Uint8Array(0), plan.mutations) : null;
  let bytes: Uint8Array;
  if (b.kind === 'bytes') bytes = b.bytes;
  else {
    const tree = idTag === undefined ? b.tree : tagIds(b.tree, idTag);
    const text = (b.bom ? '\ufeff' : '') + toJsonText(tree);
    bytes = utf8Bytes(text, b.loneSurrogates);
  }
  return applyMutations(bytes, plan.mutations);
}

function tagIds(tree: JsonNode, tag: string): JsonNode {
  if (tree.k !== 'obj') return tree;
  return J.objOf(
    tree.entries.map(([k, v]) => {
      if (k.v !== 'events' || v.k !== 'arr') return [k, v];
      return [
        k,
        J.arr(
          v.items.map((ev) =>
            ev.k !== 'obj'
              ? ev
              : J.objOf(
                  ev.entries.map(([ek, ew]) =>
                    ek.v === 'id' && ew.k === 'str' && LIMITS.idPattern.test(ew.v)
                      ? [ek, J.str(`${tag}${ew.v}`.slice(0, LIMITS.maxIdLength), ew.esc)]
                      : [ek, ew],
                  ),
                ),
          ),
        ),
      ];
    }),
  );
}
