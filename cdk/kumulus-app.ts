import { App, Aspects } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { suppressions } from "./nag.ts";
import { type CodeFactory, KumulusStack, removalPolicyOf, type Topology } from "./stack.ts";

// Builds the Kumulus CDK app. cdk/app.ts (npm run synth, cdk synth/deploy, cdklocal) and the infra tests
// both use this, so the tests check the app that is deployed, cdk-nag included.
//
// Parameters are CDK context (-c key=value) or environment variables, read at synth time: the stage names
// the stack (Kumulus-<stage>) and every physical resource, and CloudFormation cannot take a DeletionPolicy
// from a template parameter, so neither can be a CfnParameter.
//   stage          -c stage=NAME            or KUMULUS_STAGE            (default dev)
//   removalPolicy  -c removalPolicy=destroy|retain  or KUMULUS_REMOVAL_POLICY  (default retain on prod)
//   publicApi      -c publicApi=true        or KUMULUS_PUBLIC_API=true   (function URL without SigV4)
//   alarmEmail     -c alarmEmail=ADDRESS    or KUMULUS_ALARM_EMAIL       (subscribed to the alarm topic)

export interface BuildOptions {
  outdir?: string;
  /** Overrides context and environment. */
  stage?: string;
  removalPolicy?: "destroy" | "retain";
  publicApi?: boolean;
  alarmEmail?: string;
  topology?: Topology;
  code?: CodeFactory;
  /** Extra CDK context, as `-c` would give it. */
  context?: Record<string, string>;
  /** Run cdk-nag (default true; the parity tests' many modified copies skip it to stay fast). */
  nag?: boolean;
}

/** The stack name for a stage; localstack/env.sh and the workflow use the same convention. */
export const stackName = (stage: string) => `Kumulus-${stage}`;

export function buildApp(opts: BuildOptions = {}) {
  const app = new App({ outdir: opts.outdir, context: opts.context });
  const ctx = (key: string, env: string): string | undefined => {
    const v = app.node.tryGetContext(key) ?? process.env[env];
    return v === undefined || v === "" ? undefined : String(v);
  };
  const stage = opts.stage ?? ctx("stage", "KUMULUS_STAGE") ?? "dev";
  if (!/^[a-z0-9][a-z0-9-]{0,20}$/.test(stage))
    throw new Error(`stage must be lower-case letters, digits and dashes (at most 21), not ${stage}`);
  const stack = new KumulusStack(app, stackName(stage), {
    stage,
    removalPolicy: removalPolicyOf(
      opts.removalPolicy ?? ctx("removalPolicy", "KUMULUS_REMOVAL_POLICY"),
      stage,
    ),
    publicApi: opts.publicApi ?? ctx("publicApi", "KUMULUS_PUBLIC_API") === "true",
    alarmEmail: opts.alarmEmail ?? ctx("alarmEmail", "KUMULUS_ALARM_EMAIL"),
    topology: opts.topology,
    code: opts.code,
    description: `Kumulus (${stage}): serverless Kubernetes API on DynamoDB, SQS and Lambda`,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  suppressions(stack);
  if (opts.nag !== false) Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return { app, stack, stage };
}
