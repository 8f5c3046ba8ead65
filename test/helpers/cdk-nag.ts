/**
 * cdk-nag's AwsSolutions pack over a stack, for the infra tests. cdk-nag 3 is a policy-validation
 * plugin, not an Aspect: its findings are not annotations but a report, and a rule is suppressed
 * with `Validations.of(construct).acknowledge({ id, reason })` (there is no `NagSuppressions`).
 * These two functions give a test the unacknowledged findings and every acknowledgement, so it
 * can assert that the first list is empty and that each entry of the second gives its reason.
 *
 * @example
 * expect(nagFindings(stack)).toStrictEqual([]);
 * for (const a of nagAcknowledgements(stack)) expect(a.reason).toMatch(REASON_IN_WORDS);
 */
import { Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** One unacknowledged finding, as `<rule> <severity> <construct path>: <description>`. */
export type NagFinding = string;

/** One acknowledged rule: where, which, and the reason given. */
export interface NagAcknowledgement {
  path: string;
  id: string;
  reason: string;
}

/** A reason a reader can act on: at least five words, not a placeholder. */
export const REASON_IN_WORDS = /^(?!\s*(todo|tbd|n\/a|none)\b)(\S+\s+){4,}\S+/i;

/**
 * Runs AwsSolutionsChecks over `scope` (a stack, usually) and returns every finding, error or
 * warning, that no `Validations.acknowledge` covers; sorted, so a failing test prints a stable
 * list. The app is synthesized first, so constructs that finish themselves at synthesis
 * (policies, permissions) are checked in their final form.
 */
export function nagFindings(scope: IConstruct): NagFinding[] {
  Stage.of(scope)?.synth();
  const report = new AwsSolutionsChecks(undefined, { verbose: false }).validateScope(scope);
  const out: NagFinding[] = [];
  for (const v of report.violations) {
    for (const r of v.violatingResources) {
      out.push(
        `${v.ruleName} ${v.severity ?? 'error'} ${r.constructPath ?? r.resourceLogicalId}: ${v.description}`,
      );
    }
  }
  return out.sort();
}

/** Every rule acknowledged on `scope` or below it, with its reason. */
export function nagAcknowledgements(scope: IConstruct): NagAcknowledgement[] {
  const out: NagAcknowledgement[] = [];
  for (const c of scope.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        // aws-cdk-lib records the id with its namespace (`Annotation::AwsSolutions-S1`).
        out.push({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason });
      }
    }
  }
  return out;
}
