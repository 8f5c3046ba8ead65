/**
 * Synthesizes the regional stack for one configuration (the real consumer bundle included) and
 * reads resources out of its template by construct, for tests that assert whole property blocks.
 */
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import {
  type CoreKind,
  DEFAULT_DEPLOY_CONFIG,
  type DeployConfig,
  type StoreKind,
} from '../../infra/config.js';
import { RegionalStack } from '../../infra/regional/regional-stack.js';
import { testApp } from './cdk-app.js';

/** One configuration under test. */
export interface RegionalCase {
  store: StoreKind;
  core: CoreKind;
  region: string;
}

/** The configurations every regional test runs over: both stores, both cores, home and not. */
export const REGIONAL_CASES: RegionalCase[] = [
  { store: 'influxdb', core: 'lambda', region: 'us-east-1' },
  { store: 'timestream', core: 'lambda', region: 'us-east-1' },
  { store: 'influxdb', core: 'flink', region: 'us-east-1' },
  { store: 'timestream', core: 'flink', region: 'us-east-1' },
  { store: 'influxdb', core: 'lambda', region: 'eu-central-1' },
];

/**
 * Timeout of a hook or test that synthesizes: the first synthesis in a test file bundles the
 * consumer with esbuild, which takes a minute on a loaded two-core machine.
 */
export const SYNTH_TIMEOUT_MS = 300_000;

/** A synthesized regional stack. */
export interface SynthesizedRegion {
  stack: RegionalStack;
  template: Template;
  /** Logical id of a construct's CloudFormation resource. */
  id: (construct: IConstruct) => string;
  /** A resource's properties as synthesized. */
  props: (construct: IConstruct) => Record<string, unknown>;
  /** A resource as synthesized (Type, Properties, DependsOn, DeletionPolicy…). */
  resource: (construct: IConstruct) => Record<string, unknown>;
  /** The statements of a role's inline policies, with the names of any other policies attached to it. */
  roleStatements: (role: iam.Role) => { inline: unknown[]; attachedPolicies: string[] };
}

/** The deployment config of a case (defaults otherwise, `overrides` on top). */
export function caseConfig(c: RegionalCase, overrides: Partial<DeployConfig> = {}): DeployConfig {
  return { ...DEFAULT_DEPLOY_CONFIG, store: c.store, core: c.core, ...overrides };
}

/** Builds and synthesizes the stack of `c`, with `overrides` on its configuration. */
export function synthRegional(
  c: RegionalCase,
  opts: { overrides?: Partial<DeployConfig> } = {},
): SynthesizedRegion {
  // cdk.json's feature flags, as `npm run synth` applies them.
  const app = testApp();
  const stack = new RegionalStack(app, `Regional-${c.region}`, {
    config: caseConfig(c, opts.overrides),
    region: c.region,
    // No account, as in `npm run synth` without credentials: the template stays account-agnostic.
    env: { region: c.region },
  });
  const template = Template.fromStack(stack);
  const json = template.toJSON() as { Resources: Record<string, Record<string, unknown>> };
  const id = (construct: IConstruct) => {
    const child = (construct.node.defaultChild ?? construct) as CfnElement;
    return stack.getLogicalId(child);
  };
  const resource = (construct: IConstruct) => {
    const r = json.Resources[stack.resolve(id(construct))];
    if (!r) throw new Error(`no resource for ${construct.node.path}`);
    return r;
  };
  const props = (construct: IConstruct) =>
    resource(construct).Properties as Record<string, unknown>;
  const roleStatements = (role: iam.Role) => {
    const roleId = stack.resolve(id(role));
    const policies = (props(role).Policies ?? []) as { PolicyDocument: { Statement: unknown[] } }[];
    const attachedPolicies = Object.entries(json.Resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy')
      .filter(([, r]) =>
        JSON.stringify((r.Properties as { Roles?: unknown }).Roles ?? []).includes(`"${roleId}"`),
      )
      .map(([k]) => k);
    return { inline: policies.flatMap((p) => p.PolicyDocument.Statement), attachedPolicies };
  };
  return { stack, template, id, props, resource, roleStatements };
}

/** `{ "Fn::GetAtt": [id, "Arn"] }` of a construct. */
export const arnOf = (s: SynthesizedRegion, c: IConstruct) => ({ 'Fn::GetAtt': [s.id(c), 'Arn'] });
