import { describe, expect, it } from "vitest";
import { functions, queueEnvVar, queues, tableEnvVar, tables } from "../lib/topology.ts";
import { resources, synth } from "./synth.ts";

// Assertions on the synthesised CloudFormation: what is deployed, not just that synth exits 0.

const { template, nagErrors, nagWarnings } = synth();

describe("CloudFormation template", () => {
  it("passes cdk-nag's AwsSolutions pack (every suppression carries a reason)", () => {
    expect(nagErrors.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
    expect(nagWarnings.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
  });

  it("has on-demand tables with PITR, the objects stream and the watch-log TTL", () => {
    const t = resources(template, "AWS::DynamoDB::Table");
    expect(t).toHaveLength(Object.keys(tables).length);
    for (const [, p] of t) {
      expect(p.BillingMode).toBe("PAY_PER_REQUEST");
      expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    }
    const byName = Object.fromEntries(t.map(([, p]) => [p.TableName, p]));
    expect(byName["kumulus-test-objects"].StreamSpecification).toEqual({
      StreamViewType: "NEW_AND_OLD_IMAGES",
    });
    expect(byName["kumulus-test-objects"].KeySchema).toEqual([
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ]);
    expect(byName["kumulus-test-watchlog"].TimeToLiveSpecification).toEqual({
      AttributeName: "ttl",
      Enabled: true,
    });
  });

  it("protects prod tables from deletion", () => {
    const prod = synth({ stage: "prod" }).template;
    for (const [, p] of resources(prod, "AWS::DynamoDB::Table"))
      expect(p.DeletionProtectionEnabled).toBe(true);
    for (const [, p] of resources(template, "AWS::DynamoDB::Table"))
      expect(p.DeletionProtectionEnabled).toBe(false);
  });

  it("has encrypted queues, each with a DLQ and maxReceiveCount", () => {
    const q = resources(template, "AWS::SQS::Queue");
    for (const [, p] of q) expect(p.SqsManagedSseEnabled).toBe(true);
    for (const [name, spec] of Object.entries(queues)) {
      const main = q.find(([, p]) => p.QueueName === `kumulus-test-${name}.fifo`);
      expect(main, name).toBeDefined();
      expect(main![1].FifoQueue).toBe(true);
      expect(main![1].VisibilityTimeout).toBe(spec.visibilityTimeoutSeconds);
      expect(main![1].RedrivePolicy.maxReceiveCount).toBe(spec.maxReceiveCount);
      const dlq = q.find(([, p]) => p.QueueName === `kumulus-test-${name}-dlq.fifo`);
      expect(main![1].RedrivePolicy.deadLetterTargetArn).toEqual({ "Fn::GetAtt": [dlq![0], "Arn"] });
    }
  });

  it("runs one arm64 Node.js 22 function per entry in functions/ with its settings and environment", () => {
    const fns = resources(template, "AWS::Lambda::Function").filter(([, p]) =>
      String(p.FunctionName ?? "").startsWith("kumulus-"),
    );
    expect(fns.length).toBeGreaterThanOrEqual(4);
    expect(fns).toHaveLength(Object.keys(functions).length);
    for (const [name, spec] of Object.entries(functions)) {
      const f = fns.find(([, p]) => p.FunctionName === `kumulus-test-${name}`);
      expect(f, name).toBeDefined();
      const p = f![1];
      expect(p.Runtime).toBe("nodejs22.x");
      expect(p.Architectures).toEqual(["arm64"]);
      expect(p.MemorySize).toBe(spec.memoryMB);
      expect(p.Timeout).toBe(spec.timeoutSeconds);
      const env = p.Environment.Variables;
      expect(env.KUMULUS_STAGE).toBe("test");
      for (const t of Object.keys(tables)) expect(env[tableEnvVar(t as keyof typeof tables)]).toBeDefined();
      for (const q of Object.keys(queues)) expect(env[queueEnvVar(q as keyof typeof queues)]).toBeDefined();
    }
  });

  it("maps the stream and the queues with partial batch failures", () => {
    const m = resources(template, "AWS::Lambda::EventSourceMapping");
    const stream = m.filter(([, p]) => p.StartingPosition);
    expect(stream).toHaveLength(1);
    const s = stream[0][1];
    const router = functions["stream-router"].triggers[0];
    expect(s.BatchSize).toBe(router.batchSize);
    expect(s.BisectBatchOnFunctionError).toBe(true);
    expect(s.MaximumRetryAttempts).toBe(router.retryAttempts);
    expect(s.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
    expect(s.DestinationConfig.OnFailure.Destination).toBeDefined();
    const sqsMaps = m.filter(([, p]) => !p.StartingPosition);
    expect(sqsMaps).toHaveLength(3);
    for (const [, p] of sqsMaps) {
      expect(p.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
      expect(p.ScalingConfig.MaximumConcurrency).toBeGreaterThanOrEqual(2);
    }
  });

  it("serves the API through a RESPONSE_STREAM function URL and outputs it", () => {
    const urls = resources(template, "AWS::Lambda::Url");
    expect(urls).toHaveLength(1);
    expect(urls[0][1].InvokeMode).toBe("RESPONSE_STREAM");
    expect(urls[0][1].AuthType).toBe("AWS_IAM");
    expect(Object.keys(template.findOutputs("ApiUrl"))).toEqual(["ApiUrl"]);
  });

  it("schedules the tick and alarms on DLQs, errors and iterator age", () => {
    const rules = resources(template, "AWS::Events::Rule");
    expect(rules.map(([, p]) => p.ScheduleExpression)).toEqual(["rate(1 minute)"]);
    const alarms = resources(template, "AWS::CloudWatch::Alarm").map(([, p]) => p.MetricName);
    expect(alarms).toContain("ApproximateNumberOfMessagesVisible");
    expect(alarms).toContain("Errors");
    expect(alarms).toContain("IteratorAge");
  });

  it("grants no wildcard actions and scopes data access to the project's own tables and queues", () => {
    const policies = resources(template, "AWS::IAM::Policy");
    const ownIds = new Set(
      [...resources(template, "AWS::DynamoDB::Table"), ...resources(template, "AWS::SQS::Queue")].map(
        ([id]) => id,
      ),
    );
    for (const [, p] of policies) {
      for (const st of p.PolicyDocument.Statement) {
        for (const a of [st.Action].flat()) expect(a, JSON.stringify(st)).not.toMatch(/(^\*$|:\*$)/);
        for (const r of [st.Resource].flat()) {
          const json = JSON.stringify(r);
          // ListStreams has no resource-level permissions in IAM; the stream event source needs it on "*".
          if (json === '"*"' && st.Action !== "dynamodb:ListStreams")
            throw new Error(`wildcard resource in ${JSON.stringify(st)}`);
          const ids = [
            ...json.matchAll(
              /"(Table[A-Za-z0-9]+|Queue[A-Za-z0-9]+|Dlq[A-Za-z0-9]+|StreamFailures[A-Za-z0-9]+)"/g,
            ),
          ].map((m) => m[1]);
          for (const id of ids) expect(ownIds.has(id), id).toBe(true);
        }
      }
    }
  });
});
