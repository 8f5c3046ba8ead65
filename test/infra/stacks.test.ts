// The app skeleton as `npm run synth` runs it offline: no account known, so every stack is
// bound to its region and leaves the account to CloudFormation, and the checks still pass.
import { Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addStacks, type DeploymentStacks, stackName } from '../../infra/stacks.js';
import { testApp } from '../helpers/cdk-app.js';
import { nagFindings } from '../helpers/cdk-nag.js';

const saved = process.env.CDK_DEFAULT_ACCOUNT;
let stacks: DeploymentStacks;
let template: Template;

beforeAll(async () => {
  delete process.env.CDK_DEFAULT_ACCOUNT;
  stacks = await addStacks(testApp());
  template = Template.fromStack(stacks.edge);
}, 240_000);

afterAll(() => {
  if (saved !== undefined) process.env.CDK_DEFAULT_ACCOUNT = saved;
});

describe('addStacks without credentials', () => {
  it('binds every stack to an explicit region and leaves the account to deploy time', () => {
    const all = stacks.edge.node.root.node.children.filter((c): c is Stack => Stack.isStack(c));
    expect(all.map((s) => s.stackName)).toStrictEqual(['beacon-edge-edge']);
    for (const s of all) {
      expect(Token.isUnresolved(s.region)).toBe(false);
      expect(Token.isUnresolved(s.account)).toBe(true);
    }
    expect(stacks.edge.region).toBe('us-east-1');
    expect(stackName(stacks.config, 'edge')).toBe('beacon-edge-edge');
  });

  it('writes the account as AWS::AccountId into the Lambda@Edge policy', () => {
    const policy = template.findResources('AWS::IAM::Policy');
    expect(JSON.stringify(policy)).toContain('{"Ref":"AWS::AccountId"}');
  });

  it('still has no unacknowledged cdk-nag finding (acknowledgements name unresolved ARNs right)', () => {
    expect(nagFindings(stacks.edge)).toStrictEqual([]);
  });

  it('refuses a bad context before building anything', async () => {
    await expect(addStacks(testApp({ 'beacon-edge:homeRegion': 'eu-west-3' }))).rejects.toThrow(
      'beacon-edge.homeRegion: "eu-west-3" is not one of the regions (us-east-1, eu-central-1, ap-southeast-1)',
    );
  });
});
