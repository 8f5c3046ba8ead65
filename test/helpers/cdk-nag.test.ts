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

const REASON = 'This probe bucket exists only inside the test and is never deployed.';

describe('nagFindings / nagAcknowledgements', () => {
  // Synthesized while the file is collected: the first synth loads aws-cdk-lib, which can take
  // longer than a test's timeout on a busy machine.
  const plain = bucketStack();
  const plainFindings = nagFindings(plain.stack);
  const acked = bucketStack();
  Validations.of(acked.bucket).acknowledge({ id: 'AwsSolutions-S1', reason: REASON });
  const ackedFindings = nagFindings(acked.stack);

  it('reports an S3 bucket without access logs or TLS enforcement', () => {
    expect(plainFindings).toStrictEqual([
      'AwsSolutions-S1 error NagProbe/Bucket/Resource: The S3 Bucket has server access logs disabled.',
      'AwsSolutions-S10 error NagProbe/Bucket/Resource: The S3 Bucket or bucket policy does not require requests to use SSL.',
    ]);
    expect(nagAcknowledgements(plain.stack)).toStrictEqual([]);
  });

  it('drops an acknowledged rule and lists the acknowledgement with its reason', () => {
    expect(ackedFindings.map((f) => f.split(' ')[0])).toStrictEqual(['AwsSolutions-S10']);
    expect(nagAcknowledgements(acked.stack)).toStrictEqual([
      { path: 'NagProbe/Bucket', id: 'AwsSolutions-S1', reason: REASON },
    ]);
  });

  it('accepts a reason in words and refuses placeholders', () => {
    expect('Access logs would log the log bucket itself.').toMatch(REASON_IN_WORDS);
    expect('TODO').not.toMatch(REASON_IN_WORDS);
    expect('n/a for now ok fine').not.toMatch(REASON_IN_WORDS);
    expect('not needed').not.toMatch(REASON_IN_WORDS);
  });
});
