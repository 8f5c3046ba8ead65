/**
 * A CMCD body cut into report lines, before any line is decoded: `application/cmcd` (and
 * `text/plain`, what a sendBeacon-style client sends) is one CMCD dictionary per line; the JSON
 * form older player builds send is a JSON array of report objects. Problems of the whole body
 * (malformed JSON, not an array, no line at all, too many lines) are answered for the body.
 */
import { depthRejection, parseJson } from '../ingest/parse.js';
import type { BodyRejection } from '../ingest/types.js';

/** How a body carries its reports. */
export type CmcdForm = 'cmcd' | 'json';

/** One report as the body carries it, with where it is. */
export type CmcdLine =
  /** A line of an `application/cmcd` body; `index` is its 0-based line number in the body. */
  | { form: 'cmcd'; index: number; text: string }
  /** An item of a JSON-form body; `index` is its position in the array. */
  | { form: 'json'; index: number; value: unknown };

/** The lines of a body, or the answer for the whole body. */
export type SplitResult = { ok: true; lines: CmcdLine[] } | { ok: false; rejection: BodyRejection };

/** The media type of a CMCD request: JSON is the array form, anything else the line form. */
export function formOf(contentType: string | undefined): CmcdForm {
  const media = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return media === 'application/json' ? 'json' : 'cmcd';
}

/**
 * Cuts a decoded body into its report lines. Lines of the line form are split on LF (a CR before
 * it is dropped); blank lines, and so a trailing newline, are ignored, as players differ there.
 * `maxLines` is the JSON path's events-per-batch limit.
 */
export function splitCmcdBody(
  text: string,
  bytes: Uint8Array,
  form: CmcdForm,
  maxLines: number,
): SplitResult {
  const lines: CmcdLine[] = [];
  if (form === 'cmcd') {
    const parts = text.split('\n');
    for (let index = 0; index < parts.length; index++) {
      const raw = parts[index];
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line.trim() === '') continue;
      lines.push({ form, index, text: line });
    }
  } else {
    const parsed = parseJson(text);
    if (!parsed.ok) return { ok: false, rejection: depthRejection(bytes) ?? parsed.rejection };
    // Reports are two levels deep (array → report → inner list): anything deeper is refused
    // before a bad-row payload is serialized from it.
    const tooDeep = depthRejection(bytes);
    if (tooDeep) return { ok: false, rejection: tooDeep };
    if (!Array.isArray(parsed.value)) {
      return {
        ok: false,
        rejection: {
          status: 400,
          reason: 'invalid_envelope',
          detail: `a JSON CMCD body must be an array of report objects, got ${describe(parsed.value)}`,
        },
      };
    }
    parsed.value.forEach((value, index) => {
      lines.push({ form, index, value });
    });
  }
  if (lines.length === 0) {
    return {
      ok: false,
      rejection: { status: 400, reason: 'empty_body', detail: 'the body has no report line' },
    };
  }
  if (lines.length > maxLines) {
    return {
      ok: false,
      rejection: {
        status: 413,
        reason: 'too_many_events',
        detail: `${lines.length} report lines in one body; at most ${maxLines}`,
      },
    };
  }
  return { ok: true, lines };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : typeof value;
}
