import { App, Aspects } from "aws-cdk-lib";
import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { suppressions } from "../cdk/nag.ts";
import { KumulusStack, type KumulusStackProps, removalPolicyOf, type Topology } from "../cdk/stack.ts";

// Builds the stack the way cdk/app.ts does (cdk-nag included), without bundling unless asked.
export function synth(
  opts: { stage?: string; topology?: Topology; bundle?: boolean; extra?: Partial<KumulusStackProps> } = {},
) {
  const app = new App({ outdir: opts.bundle ? undefined : undefined });
  const stage = opts.stage ?? "test";
  const stack = new KumulusStack(app, `Kumulus-${stage}`, {
    stage,
    removalPolicy: removalPolicyOf(undefined, stage),
    topology: opts.topology,
    bundle: opts.bundle ?? false,
    ...opts.extra,
  });
  suppressions(stack);
  Aspects.of(app).add(new AwsSolutionsChecks());
  const template = Template.fromStack(stack);
  const nagErrors = Annotations.fromStack(stack).findError("*", Match.stringLikeRegexp("AwsSolutions-.*"));
  const nagWarnings = Annotations.fromStack(stack).findWarning(
    "*",
    Match.stringLikeRegexp("AwsSolutions-.*"),
  );
  return { app, stack, template, nagErrors, nagWarnings };
}

/** Resources of one type as [logicalId, properties]. */
export function resources(template: Template, type: string): [string, any][] {
  return Object.entries(template.findResources(type)).map(([id, r]) => [
    id,
    (r as { Properties: any }).Properties,
  ]);
}
