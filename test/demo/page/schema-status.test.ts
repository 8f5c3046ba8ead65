import { describe, expect, it } from 'vitest';
import { deprecationText, pickVersion, stoppedText } from '../../../demo/page/schema-status.js';
import { CURRENT_SCHEMA_VERSION, SCHEMA_VERSIONS } from '../../../player/index.js';

const sdk = { SCHEMA_VERSIONS, CURRENT_SCHEMA_VERSION };

describe('the demo page schema version', () => {
  it('takes ?schema= when the SDK sends that version, else its default with the reason', () => {
    expect(pickVersion(null, sdk)).toStrictEqual({ version: '2-0-0' });
    expect(pickVersion('', sdk)).toStrictEqual({ version: '2-0-0' });
    expect(pickVersion('1-0-0', sdk)).toStrictEqual({ version: '1-0-0' });
    expect(pickVersion('3-0-0', sdk)).toStrictEqual({
      version: '2-0-0',
      problem: '?schema=3-0-0 is not a version this SDK sends (1-0-0, 1-1-0, 2-0-0): using 2-0-0.',
    });
  });

  it("shows the edge's own sentence for a stop, else its reason", () => {
    const stop = { sessionId: 's', status: 410, scope: 'tracker' } as const;
    expect(
      stoppedText({
        ...stop,
        error: 'schema_retired',
        detail: 'schema_version 1-0-0 is retired; send 2-0-0',
      }),
    ).toBe('stopped: schema_version 1-0-0 is retired; send 2-0-0');
    expect(stoppedText({ ...stop, error: 'gone' })).toBe('stopped: gone');
  });

  it('writes the deprecation dates as days, or the headers as sent', () => {
    const n = { schemaVersion: '1-0-0', sdk: 'beacon-edge-js@0.1.0', deprecation: '@1' };
    expect(
      deprecationText({
        ...n,
        deprecatedAt: Date.UTC(2026, 10, 30),
        sunset: 'x',
        sunsetAt: Date.UTC(2027, 2, 1),
      }),
    ).toBe(
      'Deprecated: schema 1-0-0 or beacon-edge-js@0.1.0 since 2026-11-30; retired at the sunset, 2027-03-01.',
    );
    expect(deprecationText({ ...n, deprecation: 'true' })).toBe(
      'Deprecated: schema 1-0-0 or beacon-edge-js@0.1.0 since true; retired at the sunset, not set.',
    );
  });
});
