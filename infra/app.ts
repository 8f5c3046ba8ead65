/**
 * The CDK app: what cdk.json runs (through scripts/cdk-app.mjs, which bundles this TypeScript for
 * Node). The configuration comes from CDK context (`-c beacon-edge:…`); see resolve-config.ts.
 */
import { App } from 'aws-cdk-lib';
import { addStacks } from './stacks.js';

const app = new App();
await addStacks(app);
app.synth();
