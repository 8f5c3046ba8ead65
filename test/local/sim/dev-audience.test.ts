import { afterEach, describe, expect, it } from 'vitest';
import { loopbackTarget, startDevAudience } from '../../../local/sim/dev-audience.js';
import { type ScriptedServer, startScriptedServer } from '../../helpers/scripted-server.js';
import { eventually } from '../../helpers/stack-checks.js';

describe('the default audience of beacons dev', () => {
  let server: ScriptedServer | undefined;
  afterEach(() => server?.close());

  it('targets the stack over loopback, or not at all', () => {
    expect(loopbackTarget('127.0.0.1', 8787)).toBe('http://127.0.0.1:8787');
    expect(loopbackTarget('0.0.0.0', 8787)).toBe('http://127.0.0.1:8787');
    expect(loopbackTarget('::', 8787)).toBe('http://127.0.0.1:8787');
    expect(loopbackTarget('::1', 8787)).toBe('http://[::1]:8787');
    expect(loopbackTarget('localhost', 9000)).toBe('http://127.0.0.1:9000');
    expect(loopbackTarget('192.168.1.20', 8787)).toBeUndefined();
  });

  it('plays until stopped, then sends nothing more', async () => {
    server = await startScriptedServer(() => ({ status: 204 }));
    const port = Number(new URL(server.url).port);
    const lines: string[] = [];
    const audience = startDevAudience({
      host: '127.0.0.1',
      port,
      viewers: 30,
      log: (l) => lines.push(l),
    });
    expect(audience).toBeDefined();
    await eventually(
      'a few batches',
      async () => (server!.requests.length >= 5 ? true : undefined),
      20_000,
    );
    await audience?.stop();
    const after = server.requests.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(server.requests.length).toBe(after);
    expect(lines).toStrictEqual([]);
  });

  it('says so and plays nothing when the stack is not on loopback', () => {
    const lines: string[] = [];
    expect(
      startDevAudience({ host: '192.168.1.20', port: 1, viewers: 3, log: (l) => lines.push(l) }),
    ).toBeUndefined();
    expect(lines[0]).toContain('no simulated audience');
  });
});
