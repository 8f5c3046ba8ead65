/**
 * Acknowledging a cdk-nag (AwsSolutions) finding on a construct, with the reason a reviewer reads.
 * cdk-nag 3 reads CDK's validation acknowledgements, both as an app's validation plugin and when a
 * test runs its checks directly (test/helpers/cdk-nag.ts).
 */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges AwsSolutions `rule` (e.g. `AwsSolutions-SQS3`, `AwsSolutions-IAM5[Resource::*]`) on
 * `scope` and everything under it.
 */
export function acknowledgeNag(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: rule, reason });
}
