/**
 * Small HTML builders shared by the session explorer's pages. Every value goes through `esc`:
 * session ids, reasons and field values come from viewers' beacons.
 */
import type { SessionSummary } from '../core-pipeline/queries/types.js';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for HTML content and attribute values. */
export function esc(v: unknown): string {
  return String(v).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

const OUTCOME_LEVEL: Record<SessionSummary['outcome'], string> = {
  playing: 'good',
  ended: 'neutral',
  starting: 'neutral',
  start_failure: 'bad',
  playback_failure: 'bad',
  exit_before_start: 'warn',
};

/** A coloured badge naming the outcome. */
export function outcomeBadge(outcome: SessionSummary['outcome']): string {
  return `<span class="badge ${OUTCOME_LEVEL[outcome] ?? 'neutral'}" data-outcome="${esc(outcome)}">${esc(outcome.replace(/_/g, ' '))}</span>`;
}

/** A tile as the main dashboard draws them. */
export function tile(label: string, value: string, hint: string, id: string): string {
  return `<div class="tile"><div class="label">${esc(label)}</div><div class="value" id="${esc(id)}">${esc(value)}</div><div class="hint">${esc(hint)}</div></div>`;
}
