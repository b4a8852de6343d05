import { buildApp } from "./kumulus-app.ts";

// `npm run synth` (also the `app` of cdk.json, so `cdk synth|deploy` and `cdklocal deploy` run it): writes
// the CloudFormation template and the esbuild bundles to cdk.out/ (or $CDK_OUTDIR when the CDK CLI runs it).
// No network and no Docker: the functions are bundled by the esbuild in node_modules.
const { app, stack } = buildApp({ outdir: process.env.CDK_OUTDIR ?? "cdk.out" });
const assembly = app.synth();
// cdk-nag reports its findings as error annotations; fail here too, not only under the CDK CLI.
const errors = assembly
  .getStackArtifact(stack.artifactId)
  .messages.filter((m) => m.level === "error")
  .map((m) => `${m.id}: ${m.entry.data}`);
if (errors.length > 0) {
  process.stderr.write(`${errors.join("\n")}\n`);
  process.exit(1);
}
if (!process.env.CDK_OUTDIR)
  process.stdout.write(`synthesized ${stack.stackName} to ${assembly.directory}\n`);
