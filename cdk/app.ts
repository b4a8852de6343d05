import { App, Aspects } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { suppressions } from "./nag.ts";
import { KumulusStack, removalPolicyOf } from "./stack.ts";

// `npm run synth` (or `npx cdk synth`): writes the templates to cdk.out/. Context: stage (default dev),
// removalPolicy (destroy|retain; default retain on prod), publicApi (true only for LocalStack).
const app = new App({ outdir: process.env.CDK_OUTDIR ?? "cdk.out" });
const stage = (app.node.tryGetContext("stage") as string | undefined) ?? process.env.KUMULUS_STAGE ?? "dev";
const stack = new KumulusStack(app, `Kumulus-${stage}`, {
  stage,
  removalPolicy: removalPolicyOf(app.node.tryGetContext("removalPolicy"), stage),
  publicApi: String(app.node.tryGetContext("publicApi")) === "true",
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
suppressions(stack);
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
app.synth();
