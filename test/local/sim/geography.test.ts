import { describe, expect, it } from 'vitest';
import { edgeLocationForPop } from '../../../local/cloudfront/pops.js';
import { PLACES, drawViewer, viewerHeaders } from '../../../local/sim/geography.js';
import { createRng } from '../../../local/sim/random.js';

describe('viewers', () => {
  it('place every viewer at a POP the emulator knows', () => {
    for (const p of PLACES) expect(edgeLocationForPop(p.pop), p.pop).toBeDefined();
  });

  it('send the POP and CloudFront geo headers', () => {
    const rng = createRng(1);
    const viewer = drawViewer(rng);
    const h = viewerHeaders(viewer, rng);
    expect(h['x-beacon-pop']).toBe(viewer.place.pop);
    expect(h['CloudFront-Viewer-Country']).toBe(viewer.place.country);
    expect(h['CloudFront-Viewer-ASN']).toBe(viewer.asn);
    expect(
      Object.keys(h).filter((k) => /^CloudFront-Is-/.test(k) && h[k] === 'true').length,
    ).toBeGreaterThanOrEqual(1);
    expect(Object.keys(h).some((k) => /address/i.test(k))).toBe(false);
  });
});
