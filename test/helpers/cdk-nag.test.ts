// The cdk-nag helper itself: it must report a real finding and honour an acknowledgement, or every
// infra test that asserts "no findings" would pass for nothing.
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { nagAcknowledgements, nagFindings, REASON_IN_WORDS } from './cdk-nag.js';

function bucketStack(): { stack: Stack; bucket: s3.Bucket } {
  const stack = new Stack(new App(), 'NagProbe', {
    env: { account: '111111111111', region: 'us-east-1' },
  });
  const bucket = new s3.Bucket(stack, 'Bucket');
  return { stack, bucket };
}

describe('nagFindings / nagAcknowledgements', () => {
  it('reports an S3 bucket without access logs or TLS enforcement', () => {
    const { stack } = bucketStack();
    const findings = nagFindings(stack);
    expect(
      findings.some((f) => f.startsWith('AwsSolutions-S1 error NagProbe/Bucket/Resource')),
    ).toBe(true);
    expect(findings.some((f) => f.startsWith('AwsSolutions-S10 '))).toBe(true);
  });

  it('drops an acknowledged rule and lists the acknowledgement with its reason', () => {
    const { stack, bucket } = bucketStack();
    const reason = 'This probe bucket exists only inside the test and is never deployed.';
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason });
    const findings = nagFindings(stack);
    expect(findings.some((f) => f.startsWith('AwsSolutions-S1 '))).toBe(false);
    expect(findings.some((f) => f.startsWith('AwsSolutions-S10 '))).toBe(true);
    expect(nagAcknowledgements(stack)).toStrictEqual([
      { path: 'NagProbe/Bucket', id: 'AwsSolutions-S1', reason },
    ]);
  });

  it('accepts a reason in words and refuses placeholders', () => {
    expect('Access logs would log the log bucket itself.').toMatch(REASON_IN_WORDS);
    expect('TODO').not.toMatch(REASON_IN_WORDS);
    expect('n/a for now ok fine').not.toMatch(REASON_IN_WORDS);
    expect('not needed').not.toMatch(REASON_IN_WORDS);
  });
});
