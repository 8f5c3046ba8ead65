/**
 * `beacons schemas check`: whether a new schema file may be released under its version number.
 * It is compared with the latest released version below it, structurally (schemas-diff.ts) and
 * with data: the previous version's valid examples, their `schema_version` rewritten, must pass
 * the new schema when the change is an addition; a failing one proves the change breaks data,
 * whatever the structural diff saw. The version number must then say what kind of change it is
 * (SchemaVer MODEL-REVISION-ADDITION), and the file must name its own version (`$id` and the
 * `schema_version` constant). Its own examples, when it has some, must validate as they say.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { diffSchemas, type Impact, overallImpact, type SchemaChange } from './schemas-diff.js';
import { compareVersions, parseVersion, readManifest, schemaHash } from './schemas-files.js';

/** What the check found; `problems` empty means the file may be released. */
export interface CheckResult {
  file: string;
  version: string;
  /** The released version it was compared with (absent for a first version). */
  previous?: string;
  /** The kind of change: the largest impact (annotation-only changes count as addition). */
  kind?: Exclude<Impact, 'annotation'>;
  /** Version numbers that would say so. */
  expected: string[];
  changes: SchemaChange[];
  /** The previous version's valid examples checked against the new schema, and the failures. */
  examples: { checked: number; failed: { file: string; error: string }[] };
  problems: string[];
  notes: string[];
}

/**
 * The versions a change of `kind` after `previous` may take. An addition may also take the next
 * REVISION number: SchemaVer's own label for it is the next ADDITION, but clients treating it as
 * a possible break lose nothing, while the reverse (a break labelled as an addition) breaks them.
 */
export function nextVersions(previous: string, kind: Exclude<Impact, 'annotation'>): string[] {
  const [m, r, a] = parseVersion(previous) ?? [0, 0, 0];
  if (kind === 'model') return [`${m + 1}-0-0`];
  if (kind === 'revision') return [`${m}-${r + 1}-0`];
  return [`${m}-${r}-${a + 1}`, `${m}-${r + 1}-0`];
}

/** An ajv with the options the edge's validators are generated with (scripts/build-validators.mjs). */
function newAjv(): Ajv2020 {
  return new Ajv2020({
    allErrors: false,
    discriminator: true,
    strict: true,
    strictRequired: false,
    allowUnionTypes: false,
  });
}

type Json = Record<string, unknown>;

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** `<dir>/<version>/examples/<kind>/*.json`, by name. */
function examples(dir: string, version: string, kind: 'valid' | 'invalid'): [string, unknown][] {
  const at = path.join(dir, version, 'examples', kind);
  if (!fs.existsSync(at)) return [];
  return fs
    .readdirSync(at)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [`${version}/examples/${kind}/${f}`, readJson(path.join(at, f))]);
}

/**
 * Checks `file` (named `<version>.json`) against the released versions of `schemasDir`, or the
 * version `against` when given.
 */
export function checkSchemaFile(
  file: string,
  opts: { schemasDir: string; against?: string },
): CheckResult {
  const version = path.basename(file).replace(/\.json$/, '');
  const result: CheckResult = {
    file,
    version,
    expected: [],
    changes: [],
    examples: { checked: 0, failed: [] },
    problems: [],
    notes: [],
  };
  const { problems, notes } = result;
  if (!parseVersion(version) || !file.endsWith('.json')) {
    problems.push(
      `the file must be named <MODEL>-<REVISION>-<ADDITION>.json, e.g. 1-2-0.json; got ${path.basename(file)}`,
    );
    return result;
  }
  const bytes = fs.readFileSync(file);
  const schema = JSON.parse(bytes.toString('utf8')) as Json;
  const stamp = ((schema.$defs as Json | undefined)?.envelope as Json | undefined)?.properties as
    | Json
    | undefined;
  const declared = (stamp?.schema_version as Json | undefined)?.const;
  if (declared !== version)
    problems.push(
      `$defs.envelope.properties.schema_version.const is ${JSON.stringify(declared)}; the file ${version}.json must declare "${version}"`,
    );
  if (typeof schema.$id !== 'string' || !schema.$id.endsWith(`/${version}`))
    problems.push(`$id ${JSON.stringify(schema.$id)} must end in /${version}`);

  const released = readManifest(opts.schemasDir).released;
  if (released[version] !== undefined && released[version] !== schemaHash(bytes))
    problems.push(
      `${version} is released with another content (${released[version]}); a released schema never changes: add a new version instead`,
    );
  const previous =
    opts.against ??
    Object.keys(released)
      .filter((v) => compareVersions(v, version) < 0)
      .sort(compareVersions)
      .pop();

  const ajv = newAjv();
  let validate: ReturnType<Ajv2020['compile']>;
  try {
    validate = ajv.compile(schema);
  } catch (err) {
    problems.push(`not a schema ajv compiles: ${(err as Error).message}`);
    return result;
  }
  checkOwnExamples(ajv, schema, path.dirname(file), version, problems);

  if (previous === undefined) {
    if (version !== '1-0-0')
      problems.push(
        `no released version below ${version} to compare with; a first version is 1-0-0`,
      );
    return result;
  }
  result.previous = previous;
  if (compareVersions(previous, version) >= 0) problems.push(`${version} is not above ${previous}`);
  const before = readJson(path.join(opts.schemasDir, `${previous}.json`));
  result.changes = diffSchemas(before, schema, { stamp: { before: previous, after: version } });
  let kind: Exclude<Impact, 'annotation'> = (() => {
    const impact = overallImpact(result.changes);
    return impact === undefined || impact === 'annotation' ? 'addition' : impact;
  })();
  const substantive = result.changes.filter(
    (c) => !['/$id', '/title'].includes(c.path) && !c.detail.startsWith('the version stamp'),
  );
  if (substantive.length === 0) problems.push(`${version} is the same schema as ${previous}`);

  // Data valid before must pass an addition: a failing example proves a break.
  const eventRef = `${schema.$id}#/$defs/event`;
  for (const [name, data] of examples(opts.schemasDir, previous, 'valid')) {
    const isEvent = path.basename(name).startsWith('event-');
    // Stamped with what the file declares, so a wrong stamp is one problem, not every example.
    const stamped = typeof declared === 'string' ? declared : version;
    const instance = isEvent ? data : { ...(data as Json), schema_version: stamped };
    const ok = isEvent ? ajv.validate(eventRef, instance) : validate(instance);
    result.examples.checked++;
    if (!ok) {
      const e = (isEvent ? ajv.errors : validate.errors)?.[0];
      result.examples.failed.push({
        file: name,
        error: `${e?.instancePath || '/'} ${e?.message ?? 'invalid'}`,
      });
    }
  }
  if (result.examples.failed.length > 0 && kind === 'addition') {
    kind = 'revision';
    notes.push(
      `the structural diff saw only additions, but ${result.examples.failed.length} of ${previous}'s valid examples fail against ${version}: a breaking change`,
    );
  }
  result.kind = kind;
  result.expected = nextVersions(previous, kind);
  if (!result.expected.includes(version))
    problems.push(
      `the change from ${previous} is ${kind.toUpperCase()}${kind === 'addition' ? '' : ' (breaking)'}, so its version is ${result.expected.join(' or ')}, not ${version}`,
    );
  else if (kind === 'addition' && version !== result.expected[0])
    notes.push(
      `an addition: SchemaVer's own number for it is ${result.expected[0]}; ${version} (a REVISION number) is accepted, as clients lose nothing treating it as a possible break`,
    );
  return result;
}

/** The file's own examples, when it has them: valid ones pass, invalid ones (`{data}`) fail. */
function checkOwnExamples(
  ajv: Ajv2020,
  schema: Json,
  dir: string,
  version: string,
  problems: string[],
): void {
  const refs: Record<string, string> = {
    batch: schema.$id as string,
    envelope: `${schema.$id}#/$defs/envelope`,
    event: `${schema.$id}#/$defs/event`,
  };
  for (const [name, data] of examples(dir, version, 'valid')) {
    const ref = path.basename(name).startsWith('event-') ? refs.event : refs.batch;
    if (!ajv.validate(ref, data))
      problems.push(`${name} is a valid example but fails: ${ajv.errorsText()}`);
  }
  for (const [name, vector] of examples(dir, version, 'invalid')) {
    const { data, expect } = vector as { data: unknown; expect?: { validator?: string } };
    const ref = refs[expect?.validator ?? 'batch'] ?? refs.batch;
    if (ajv.validate(ref, data)) problems.push(`${name} is an invalid example but passes`);
  }
}
