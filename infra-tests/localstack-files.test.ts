import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { stackName } from "../cdk/kumulus-app.ts";
import { resources, synth } from "./synth.ts";

// The LocalStack files must fit the app: the same stack name and stage, the outputs the smoke script and
// the LocalStack suite read, and every AWS service the template (and cdklocal bootstrap) needs.

const ROOT = path.resolve(import.meta.dirname, "..");
const read = (p: string) => readFileSync(path.join(ROOT, p), "utf8");
const envSh = read("localstack/env.sh");
const envVar = (name: string) => envSh.match(new RegExp(`export ${name}="([^"]*)"`))?.[1];
const defaultOf = (name: string) => envVar(name)?.match(/:-([^}]*)\}/)?.[1];

describe("LocalStack files", () => {
  const stage = defaultOf("KUMULUS_STAGE")!;
  const { stack, template } = synth({ stage, publicApi: true });

  it("use the app's stack name and an output the template has", () => {
    expect(stage).toBe("localstack");
    expect(envVar("KUMULUS_STACK")).toBe(`Kumulus-$${"{"}KUMULUS_STAGE}`);
    expect(stack.stackName).toBe(stackName(stage));
    expect(Object.keys(template.findOutputs("ApiUrl"))).toEqual(["ApiUrl"]);
    const outputs = envVar("KUMULUS_OUTPUTS_FILE");
    expect(outputs).toBe("localstack/outputs.json");
    const deploy = read("localstack/deploy.sh");
    expect(deploy).toContain("source localstack/env.sh");
    expect(deploy).toMatch(/\$CDKLOCAL bootstrap /);
    expect(deploy).toMatch(/\$CDKLOCAL deploy "\$KUMULUS_STACK"/);
    expect(deploy).toContain('--outputs-file "$KUMULUS_OUTPUTS_FILE"');
    expect(deploy).toContain("publicApi=true");
    const smoke = read("localstack/smoke.sh");
    expect(smoke).toContain("source localstack/env.sh");
    expect(smoke).toContain('"$KUMULUS_OUTPUTS_FILE" "$KUMULUS_STACK"');
    expect(smoke).toContain("s.ApiUrl");
    expect(smoke).toMatch(/create cluster/);
    expect(smoke).toMatch(/\bkubectl get\b/);
    const suite = read("infra-tests/localstack.test.ts");
    expect(suite).toContain("../localstack/outputs.json");
    expect(suite).toContain(`\`Kumulus-$${"{"}stage}\``);
    expect(suite).toContain('?? "localstack"');
    expect(read("cdk.json")).toContain("cdk/app.ts");
  });

  it("start LocalStack with every service the template and cdklocal bootstrap need", () => {
    const compose = parse(read("localstack/docker-compose.yml"));
    const ls = compose.services.localstack;
    expect(ls.ports).toContain("127.0.0.1:4566:4566");
    expect(ls.volumes).toContain("/var/run/docker.sock:/var/run/docker.sock");
    const services = new Set(String(ls.environment.SERVICES).split(","));
    const serviceOf: Record<string, string> = {
      DynamoDB: "dynamodb",
      SQS: "sqs",
      Lambda: "lambda",
      IAM: "iam",
      Events: "events",
      Logs: "logs",
      CloudWatch: "cloudwatch",
      SNS: "sns",
    };
    const types = new Set(
      Object.values(template.toJSON().Resources as Record<string, any>).map((r) => r.Type),
    );
    for (const type of types) {
      const svc = serviceOf[type.split("::")[1]];
      expect(svc, `no LocalStack service known for ${type}`).toBeDefined();
      expect(services.has(svc), `${svc} (for ${type}) missing from SERVICES`).toBe(true);
    }
    if (resources(template, "AWS::DynamoDB::Table").some(([, p]) => p.StreamSpecification))
      expect(services.has("dynamodbstreams")).toBe(true);
    // CloudFormation itself, and what `cdk bootstrap` creates (S3 bucket, ECR repository, SSM parameter).
    for (const svc of ["cloudformation", "sts", "s3", "ecr", "ssm"])
      expect(services.has(svc), svc).toBe(true);
  });

  it("are what the workflow runs", () => {
    const wf = parse(read(".github/workflows/localstack.yml"));
    const job = wf.jobs.localstack;
    expect(job.env.KUMULUS_STAGE).toBe(stage);
    expect(job.env.LOCALSTACK_ENDPOINT).toBe(defaultOf("LOCALSTACK_ENDPOINT"));
    const run = job.steps.map((s: { run?: string }) => s.run ?? "").join("\n");
    expect(run).toContain("npm ci");
    expect(run).toContain("docker compose -f localstack/docker-compose.yml up");
    expect(run).toContain("bash localstack/deploy.sh");
    expect(run).toContain("bash localstack/smoke.sh");
    expect(run).toContain("infra-tests/localstack.test.ts");
  });
});
