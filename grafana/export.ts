/**
 * `beacons grafana export`: the generated dashboards as JSON files, for review, version control or
 * a manual import (Dashboards → New → Import in Grafana).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';

/**
 * Writes each dashboard to `<dir>/<uid>.json` (two-space indented, newline at the end), creating
 * `dir` if needed, and returns the paths written.
 */
export function exportDashboards(dir: string, dashboards: Dashboard[]): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return dashboards.map((d) => {
    if (!d.uid || !/^[\w-]+$/.test(d.uid))
      throw new Error(`dashboard "${d.title}" has no usable uid`);
    const file = path.join(dir, `${d.uid}.json`);
    fs.writeFileSync(file, `${JSON.stringify(d, null, 2)}\n`);
    return file;
  });
}
