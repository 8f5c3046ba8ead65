/**
 * The shared panel definitions: the demo panels are the demo's event types, every id is unique,
 * and the page's static markup (what shows before the script runs) says what panels.ts says.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DIMENSIONS } from '../../core-pipeline/queries/types.js';
import {
  DEMO_PANELS,
  PIPELINE_PANELS,
  QOE_PANELS,
  REGIONAL_PANELS,
  SLICES,
} from '../../dashboard/panels.js';
import { DEMO_EVENT_TYPES, EVENT_TYPES } from '../../schemas/events.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const html = fs.readFileSync(path.join(ROOT, 'dashboard', 'index.html'), 'utf8');
const text = (fragment: string) => fragment.replace(/<[^>]+>/g, '').trim();
const ALL = [...DEMO_PANELS, ...QOE_PANELS, ...PIPELINE_PANELS, ...REGIONAL_PANELS];

describe('dashboard/panels.ts', () => {
  it('has the AWS demo’s four panels, in its order, each counting its own type', () => {
    expect(DEMO_PANELS.map((p) => p.id)).toStrictEqual([...DEMO_EVENT_TYPES]);
    for (const p of DEMO_PANELS) {
      expect(p.eventTypes).toStrictEqual([p.id]);
      expect(p).toMatchObject({ kind: 'timeseries', metric: 'count', unit: 'short' });
    }
  });

  it('gives every panel a unique id, known event types and a known slice', () => {
    const ids = ALL.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of ALL) {
      for (const t of p.eventTypes) expect(EVENT_TYPES).toContain(t);
      if ('slice' in p && p.slice) expect(DIMENSIONS).toContain(p.slice);
      expect(p.title.length).toBeGreaterThan(0);
      expect(p.description.length).toBeGreaterThan(p.hint.length);
    }
    expect(REGIONAL_PANELS.map((p) => p.slice)).toStrictEqual(SLICES.map((s) => s.dimension));
  });

  it('agrees with the titles and hints index.html shows before the script runs', () => {
    for (const p of DEMO_PANELS) {
      const article = new RegExp(
        `<article class="panel" data-type="${p.id}"><h2>(.*?)</h2><p class="panel-sub">(.*?)</p>`,
      ).exec(html);
      expect(article, p.id).not.toBeNull();
      expect(text(article![1])).toBe(`${p.title} ${p.id}`);
      expect(text(article![2])).toBe(p.hint);
    }
    // The page's rebuffer tile is the watch-time ratio (tiles.ts), not the shared 'stalled' panel.
    for (const id of ['plays', 'startup-p50', 'startup-p95', 'failures', 'bitrate']) {
      const p = QOE_PANELS.find((q) => q.id === id)!;
      const tile = new RegExp(
        `<div class="label">([^<]*)</div><div class="value" id="q-${id}">.*?<div class="hint"[^>]*>([^<]*)</div>`,
      ).exec(html);
      expect(tile, id).not.toBeNull();
      expect([tile![1], tile![2]]).toStrictEqual([p.title, p.hint]);
    }
    for (const s of SLICES.filter((x) => html.includes(`data-dimension="${x.dimension}"`)))
      expect(html).toContain(
        `data-dimension="${s.dimension}" aria-selected="${s.dimension === 'pop'}">${s.label}</button>`,
      );
  });
});
