/**
 * The Lambda@Edge bundle as built for the deployment: the edge's own JSON client, not the AWS SDK
 * (whose code and Node built-ins were most of the cold start), so only the built-ins it needs are
 * imported. Built with the default config to a temporary file: the same code as
 * dist/edge/origin-request.mjs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOriginRequest } from '../../scripts/build-origin-request.mjs';

let tmp: string;
let code: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'origin-bundle-'));
  const built = (await buildOriginRequest({ outfile: path.join(tmp, 'origin-request.mjs') })) as {
    outfile: string;
  };
  code = fs.readFileSync(built.outfile, 'utf8');
}, 60_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('origin-request bundle', () => {
  it('holds no AWS SDK client code', () => {
    // Strings every SDK v3 client build carries: package names, its HTTP handler, its middleware
    // stack, its user-agent and the services' generated exception base classes.
    for (const marker of [
      '@aws-sdk/',
      '@smithy/',
      'NodeHttpHandler',
      'middlewareStack',
      'aws-sdk-js',
      'KinesisServiceException',
      'FirehoseServiceException',
    ])
      expect(code.includes(marker), marker).toBe(false);
  });

  it('calls Kinesis and Firehose through its own JSON client', () => {
    for (const marker of ['Kinesis_20131202', 'Firehose_20150804', 'application/x-amz-json-1.1'])
      expect(code.includes(marker), marker).toBe(true);
  });

  it('imports only the Node built-ins the client needs', () => {
    const imported = new Set(
      // Static imports (`import{a as b}from"x"`, `import x from"y"`) and dynamic `import("x")`.
      [...code.matchAll(/\bimport\s*(?:[\w$*{}\s,]+?from\s*|\(\s*)["']([^"']+)["']/g)].map(
        (m) => m[1],
      ),
    );
    const required = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect([...imported].sort()).toStrictEqual([
      'node:crypto',
      'node:http',
      'node:https',
      'node:module',
    ]);
    expect(required).toStrictEqual([]);
  });

  it("stays within the deployment's package target (250 kB compressed)", () => {
    expect(gzipSync(code).length).toBeLessThanOrEqual(250_000);
  });
});
