/**
 * The edge stack synthesized the way `npm run synth` does it (all stacks through `addStacks`, the
 * feature flags of cdk.json), with a fixed account, plus what the edge tests read back from the
 * cloud assembly: the Lambda@Edge bundle as deployed and the KeyValueStore's seed file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Template } from 'aws-cdk-lib/assertions';
import type { EdgeConfig } from '../../edge/config.js';
import { addStacks, type DeploymentStacks } from '../../infra/stacks.js';
import { onlyResource, TEST_ACCOUNT, testApp } from './cdk-app.js';

/** One synthesized deployment. */
export interface EdgeSynth {
  stacks: DeploymentStacks;
  template: Template;
  outdir: string;
}

/** Synthesizes the deployment for `context` (slow: builds both edge bundles). */
export async function synthEdge(context: Record<string, unknown> = {}): Promise<EdgeSynth> {
  const app = testApp(context);
  const stacks = await addStacks(app, { account: TEST_ACCOUNT });
  return { stacks, template: Template.fromStack(stacks.edge), outdir: app.outdir };
}

/** The logical id of the one resource of `type`. */
export function logicalId(s: EdgeSynth, type: string): string {
  return onlyResource(s.template, type).id;
}

/**
 * Loads the Lambda@Edge asset the template deploys and returns its files and the EdgeConfig
 * compiled into it (the bundle exports `bundledConfig`).
 */
export async function deployedBundle(
  s: EdgeSynth,
): Promise<{ files: string[]; config: EdgeConfig; handler: unknown }> {
  const { props } = onlyResource(s.template, 'AWS::Lambda::Function');
  const key = (props.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '');
  const dir = path.join(s.outdir, `asset.${key}`);
  const mod = (await import(pathToFileURL(path.join(dir, 'index.mjs')).href)) as {
    bundledConfig: EdgeConfig;
    handler: unknown;
  };
  return { files: fs.readdirSync(dir), config: mod.bundledConfig, handler: mod.handler };
}

/** The JSON the KeyValueStore is seeded from (an asset file the template points at). */
export function kvsSeedFile(s: EdgeSynth): unknown {
  const { props } = onlyResource(s.template, 'AWS::CloudFront::KeyValueStore');
  const source = JSON.stringify(props.ImportSource);
  const file = /\/([0-9a-f]{64}\.json)"/.exec(source)?.[1];
  if (!file) throw new Error(`no asset file in the KeyValueStore's import source: ${source}`);
  return JSON.parse(fs.readFileSync(path.join(s.outdir, `asset.${file}`), 'utf8'));
}
