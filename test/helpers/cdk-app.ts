/**
 * A CDK App for the infra tests with the feature flags of cdk.json, so the templates the tests
 * check are the ones `npm run synth` writes. One difference: CDK's own CloudFormation template
 * validation is off (it takes tens of seconds per synth and does not change a template);
 * `npm run synth` runs it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** An account number for the tests' stacks, so ARNs in templates are plain strings. */
export const TEST_ACCOUNT = '123456789012';

/** cdk.json's context (the feature flags). */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

/**
 * A new App with cdk.json's flags plus `context` (e.g. `{ 'beacon-edge:store': 'timestream' }`),
 * synthesizing into a fresh temporary folder.
 */
export function testApp(context: Record<string, unknown> = {}): App {
  return new App({
    context: {
      ...cdkJsonContext(),
      '@aws-cdk/core:validateAgainstDefaultRules': false,
      ...context,
    },
  });
}
