// `npm run bench [name …]`: runs every benchmark (or the named ones) in its own fresh Node
// process (so one cannot warm up or pollute another), prints a table, and updates each
// benchmark's block in docs/BENCHMARKS.md.
// Benchmarks are TypeScript under bench/ (bench/<name>.ts, or bench/<name>/main.ts); they are
// bundled here with esbuild and print one JSON object on their last stdout line:
// { name, rows: [{ metric, value, unit, target?, pass? }] }, or { name, skipped: reason, rows: [] }
// when they could not measure (bench/report.ts).
//
// Exit code: 0 when every benchmark that ran met all its targets; 1 when a target was missed or a
// benchmark failed to run (each is named at the end); 2 for an unknown benchmark name. Only the
// blocks of benchmarks that measured are rewritten: a skipped, failed or deselected benchmark
// keeps the figures BENCHMARKS.md already holds.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleNode } from '../scripts/bundle-node.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'dist', 'bench');
const only = process.argv.slice(2);

/** Benchmarks in the order they run. */
const BENCHES = [
  'edge-throughput',
  'cmcd-throughput',
  'cmcd-map',
  'edge-bundles',
  'core-store',
  'line-protocol',
  'consumer-influxdb',
  'e2e-load',
  'overload',
  'sdk-cost',
  'dashboard-scale',
];

function machine() {
  const cpus = os.cpus();
  return {
    cpu: `${cpus[0]?.model ?? 'unknown'} × ${cpus.length}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  };
}

/** A benchmark's entry: bench/<name>.ts, or bench/<name>/main.ts for one split into modules. */
function entryOf(name) {
  const candidates = [
    path.join(root, 'bench', `${name}.ts`),
    path.join(root, 'bench', name, 'main.ts'),
  ];
  const entry = candidates.find((f) => fs.existsSync(f));
  if (!entry) throw new Error(`missing benchmark ${candidates.join(' or ')}`);
  return entry;
}

/** Runs one benchmark: its result, or `{ name, error }` when it crashed or printed no result. */
async function runOne(name) {
  try {
    return await measure(name);
  } catch (err) {
    return { name, error: err instanceof Error ? err.message : String(err), rows: [] };
  }
}

async function measure(name) {
  const entry = entryOf(name);
  const outfile = path.join(outDir, `${name}.mjs`);
  await bundleNode(entry, outfile);
  const res = spawnSync(process.execPath, ['--expose-gc', outfile], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  const lines = res.stdout.trim().split('\n');
  const last = lines.pop() ?? '';
  if (lines.length) process.stdout.write(`${lines.join('\n')}\n`);
  if (res.status !== 0) throw new Error(`benchmark ${name} exited with ${res.status}`);
  return JSON.parse(last);
}

function fmt(v) {
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toFixed(4);
}

function table(results) {
  const out = ['| benchmark | metric | value | unit | target | met |', '|---|---|---|---|---|---|'];
  for (const r of results) {
    for (const row of r.rows) {
      const met = row.pass === undefined ? '' : row.pass ? 'yes' : '**no**';
      out.push(
        `| ${r.name} | ${row.metric} | ${fmt(row.value)} | ${row.unit ?? ''} | ${row.target ?? ''} | ${met} |`,
      );
    }
  }
  return out.join('\n');
}

const unknown = only.filter((n) => !BENCHES.includes(n));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHES.join(', ')}`);
  process.exit(2);
}

const ran = [];
for (const name of BENCHES.filter((b) => only.length === 0 || only.includes(b))) {
  console.error(`\n▶ ${name}`);
  ran.push(await runOne(name));
}
const results = ran.filter((r) => !r.skipped && !r.error);
const m = machine();
if (results.length) console.log(`\n${table(results)}`);

// Each benchmark owns one marked block in BENCHMARKS.md, so running a subset
// (`npm run bench e2e-load`) replaces only those blocks and keeps the others' figures.
const doc = path.join(root, 'docs', 'BENCHMARKS.md');
let text = fs.existsSync(doc) ? fs.readFileSync(doc, 'utf8') : '# Benchmarks\n';
for (const r of results) {
  const start = `<!-- bench:${r.name}:start -->`;
  const end = `<!-- bench:${r.name}:end -->`;
  const block = [
    start,
    `### ${r.name}`,
    '',
    `Run ${new Date().toISOString()} with \`npm run bench ${r.name}\` on ${m.cpu}, ${m.memory}, Node.js ${m.node}, ${m.os}.`,
    '',
    table([r]),
    end,
  ].join('\n');
  text = text.includes(start)
    ? text.replace(new RegExp(`${start}[\\s\\S]*?${end}`), () => block)
    : `${text.trimEnd()}\n\n${block}\n`;
}
if (results.length) {
  fs.writeFileSync(doc, text);
  console.error(`\nupdated ${path.relative(root, doc)}: ${results.map((r) => r.name).join(', ')}`);
}

for (const r of ran.filter((x) => x.skipped))
  console.error(`skipped, recorded figures kept: ${r.name}: ${r.skipped}`);
const broken = ran.filter((r) => r.error);
for (const r of broken)
  console.error(`FAILED TO RUN, recorded figures kept: ${r.name}: ${r.error}`);
const missed = results.flatMap((r) =>
  r.rows
    .filter((row) => row.pass === false)
    .map(
      (row) =>
        `${r.name}: ${row.metric} = ${fmt(row.value)}${row.unit ? ` ${row.unit}` : ''} (target ${row.target ?? '?'})`,
    ),
);
for (const line of missed) console.error(`TARGET MISSED: ${line}`);
if (missed.length || broken.length) {
  console.error(
    `npm run bench: ${missed.length} target(s) missed, ${broken.length} benchmark(s) failed to run`,
  );
  process.exitCode = 1;
} else {
  const skipped = ran.length - results.length;
  console.error(
    `npm run bench: every target met${skipped ? ` (${skipped} benchmark(s) skipped, see above)` : ''}`,
  );
}
