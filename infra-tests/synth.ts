import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { type BuildOptions, buildApp } from "../cdk/kumulus-app.ts";

// Builds the app exactly as cdk/app.ts does (cdk-nag included), except that the functions get stub code so
// the template tests need not bundle; infra-tests/bundle.test.ts runs the real `npm run synth`.

export const stubCode = () => lambda.Code.fromInline("exports.handler = async () => ({});");

const cache = new Map<string, ReturnType<typeof build>>();

function build(opts: BuildOptions) {
  // Synthesis writes a cloud assembly, which CDK would leave in a temp directory of its own every time.
  const outdir = mkdtempSync(join(tmpdir(), "kumulus-synth-"));
  const { app, stack } = buildApp({ code: stubCode, outdir, ...opts });
  const template = Template.fromStack(stack);
  const annotations = Annotations.fromStack(stack);
  rmSync(outdir, { recursive: true, force: true });
  const nag = (level: "error" | "warning") =>
    (level === "error" ? annotations.findError : annotations.findWarning)
      .call(annotations, "*", Match.stringLikeRegexp("AwsSolutions-.*"))
      .map((m) => `${m.id}: ${m.entry.data}`);
  return { app, stack, template, nagErrors: nag("error"), nagWarnings: nag("warning") };
}

/** Synthesises (and caches, when no topology is given) the stack for these options. */
export function synth(opts: BuildOptions = {}) {
  const options = opts.context?.stage ? opts : { stage: "test", ...opts };
  if (options.topology) return build(options);
  const key = JSON.stringify(options);
  if (!cache.has(key)) cache.set(key, build(options));
  return cache.get(key)!;
}

/** Resources of one type as [logicalId, properties]. */
export function resources(template: Template, type: string): [string, any][] {
  return Object.entries(template.findResources(type)).map(([id, r]) => [
    id,
    (r as { Properties: any }).Properties ?? {},
  ]);
}

/** The logical ids a CloudFormation value refers to (Ref and Fn::GetAtt, at any depth). */
export function refs(value: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (k === "Ref" && typeof x === "string") out.push(x);
        else if (k === "Fn::GetAtt" && Array.isArray(x)) out.push(String(x[0]));
        else walk(x);
      }
    }
  };
  walk(value);
  return out;
}
