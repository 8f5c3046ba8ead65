/** The Lambda@Edge adapter with in-memory storage: config, region and the generated response. */
import { afterEach, describe, expect, it } from 'vitest';
import type { CloudFrontRequestEvent } from 'aws-lambda';
import { DEFAULT_CONFIG } from '../../../edge/config.js';
import { bundledConfig, createHandler } from '../../../edge/origin-request/handler.js';
import { MemoryBadRowSink, MemoryRecordWriter } from '../../../edge/writers/memory.js';
import { makeBatch, makeOriginRequestEvent, NOW } from '../../helpers/cloudfront-events.js';

const savedRegion = process.env.AWS_REGION;
afterEach(() => {
  if (savedRegion === undefined) delete process.env.AWS_REGION;
  else process.env.AWS_REGION = savedRegion;
});

describe('createHandler', () => {
  it('falls back to DEFAULT_CONFIG when not built with a config', () => {
    expect(bundledConfig).toBe(DEFAULT_CONFIG);
  });

  it('reads AWS_REGION when called, before any await', async () => {
    const writer = new MemoryRecordWriter();
    const handler = createHandler(DEFAULT_CONFIG, {
      writer,
      badRows: new MemoryBadRowSink(),
      now: () => NOW,
    });
    const event = (): CloudFrontRequestEvent =>
      makeOriginRequestEvent({ body: makeBatch({ sent_at: NOW }) });
    process.env.AWS_REGION = 'ap-southeast-1';
    const first = handler(event());
    process.env.AWS_REGION = 'us-east-1';
    const second = handler(event());
    delete process.env.AWS_REGION;
    expect((await first).status).toBe('204');
    expect((await second).status).toBe('204');
    expect(writer.records.map((r) => r.edge.serving_region)).toStrictEqual([
      'ap-southeast-1',
      'us-east-1',
    ]);
  });

  it('answers an error as a generated response with a JSON body', async () => {
    const badRows = new MemoryBadRowSink();
    const handler = createHandler(DEFAULT_CONFIG, {
      writer: new MemoryRecordWriter(),
      badRows,
      now: () => NOW,
    });
    const res = await handler(makeOriginRequestEvent({ body: '{nope' }));
    expect(res.status).toBe('400');
    expect(res.bodyEncoding).toBe('text');
    expect(JSON.parse(res.body ?? '')).toMatchObject({ error: 'invalid_json' });
    expect(badRows.rows.map((r) => r.reason)).toStrictEqual(['invalid_json']);
  });
});
