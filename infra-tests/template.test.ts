import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { functions, physicalName, queueEnvVar, queues, tableEnvVar, tables } from "../lib/topology.ts";
import { triggerWiring } from "../lib/topology-wiring.ts";
import { refs, resources, synth } from "./synth.ts";

// Assertions on the synthesised CloudFormation: what is deployed, not just that synth exits 0.

const { template, nagErrors, nagWarnings } = synth();
const name = (logical: string, fifo = false) => physicalName("test", logical, fifo);
const idOf = (type: string, prop: string, value: string) =>
  resources(template, type).find(([, p]) => p[prop] === value)?.[0];

describe("CloudFormation template", () => {
  it("passes cdk-nag's AwsSolutions pack, every suppression with a reason", () => {
    expect(nagErrors).toEqual([]);
    expect(nagWarnings).toEqual([]);
    const suppressed = Object.values(template.toJSON().Resources as Record<string, any>).flatMap(
      (r) => r.Metadata?.cdk_nag?.rules_to_suppress ?? [],
    );
    expect(suppressed.length).toBeGreaterThan(0);
    for (const s of suppressed) expect(String(s.reason).length, s.id).toBeGreaterThan(40);
  });

  it("has on-demand tables with PITR, the objects stream (NEW_AND_OLD_IMAGES) and TTLs", () => {
    const t = resources(template, "AWS::DynamoDB::Table");
    expect(t).toHaveLength(Object.keys(tables).length);
    for (const [, p] of t) {
      expect(p.BillingMode).toBe("PAY_PER_REQUEST");
      expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(p.DeletionProtectionEnabled).toBe(false);
    }
    const byName = Object.fromEntries(t.map(([, p]) => [p.TableName, p]));
    expect(byName[name("objects")].StreamSpecification).toEqual({ StreamViewType: "NEW_AND_OLD_IMAGES" });
    expect(byName[name("objects")].KeySchema).toEqual([
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ]);
    expect(byName[name("watchlog")].TimeToLiveSpecification).toEqual({ AttributeName: "ttl", Enabled: true });
    expect(byName[name("blobs")].TimeToLiveSpecification).toEqual({ AttributeName: "ttl", Enabled: true });
  });

  it("has the capacity table (pk = cluster, sk = instance id, no stream), granted only where capacity is used", () => {
    const table = resources(template, "AWS::DynamoDB::Table").find(
      ([, p]) => p.TableName === name("capacity"),
    );
    expect(table).toBeDefined();
    const [tableId, p] = table!;
    expect(p.KeySchema).toEqual([
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ]);
    expect(p.AttributeDefinitions).toEqual([
      { AttributeName: "pk", AttributeType: "S" },
      { AttributeName: "sk", AttributeType: "S" },
    ]);
    expect(p.StreamSpecification).toBeUndefined();
    expect(p.TimeToLiveSpecification).toBeUndefined();
    const policies = resources(template, "AWS::IAM::Policy");
    const granted = resources(template, "AWS::Lambda::Function")
      .filter(([, fn]) => {
        const role = refs(fn.Role)[0];
        const policy = policies.find(([, pol]) => refs(pol.Roles).includes(role));
        return policy !== undefined && refs(policy[1].PolicyDocument).includes(tableId);
      })
      .map(([, fn]) => fn.FunctionName)
      .sort();
    expect(granted).toEqual(["apiserver", "controllers", "tick"].map((f) => name(f)));
    const writes = policies
      .flatMap(([, pol]) => pol.PolicyDocument.Statement)
      .filter((st: any) => refs(st.Resource).includes(tableId))
      .flatMap((st: any) => [st.Action].flat());
    expect(writes).toEqual(
      expect.arrayContaining(["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"]),
    );
  });

  it("takes the stage and removal policy as parameters; prod is deletion-protected and retained", () => {
    const prod = synth({ stage: "prod" });
    expect(prod.stack.stackName).toBe("Kumulus-prod");
    expect(prod.nagErrors).toEqual([]);
    for (const [, p] of resources(prod.template, "AWS::DynamoDB::Table")) {
      expect(p.DeletionProtectionEnabled).toBe(true);
      expect(p.TableName).toMatch(/^kumulus-prod-/);
    }
    const policies = (t: typeof template, type: string) =>
      new Set(Object.values(t.findResources(type)).map((r: any) => r.DeletionPolicy));
    expect(policies(prod.template, "AWS::DynamoDB::Table")).toEqual(new Set(["Retain"]));
    expect(policies(template, "AWS::DynamoDB::Table")).toEqual(new Set(["Delete"]));
    expect(policies(template, "AWS::SQS::Queue")).toEqual(new Set(["Delete"]));
    const retained = synth({ stage: "dev", removalPolicy: "retain", nag: false }).template;
    expect(policies(retained, "AWS::DynamoDB::Table")).toEqual(new Set(["Retain"]));
    expect(policies(retained, "AWS::Logs::LogGroup")).toEqual(new Set(["Retain"]));
    const viaContext = synth({ context: { stage: "ctx", removalPolicy: "retain" }, nag: false });
    expect(viaContext.stack.stackName).toBe("Kumulus-ctx");
    expect(policies(viaContext.template, "AWS::SQS::Queue")).toEqual(new Set(["Retain"]));
  });

  it("has encrypted, TLS-only queues, each with a DLQ and maxReceiveCount", () => {
    const q = resources(template, "AWS::SQS::Queue");
    expect(q).toHaveLength(Object.keys(queues).length * 2 + 1);
    for (const [, p] of q) expect(p.SqsManagedSseEnabled).toBe(true);
    for (const [logical, spec] of Object.entries(queues)) {
      const main = q.find(([, p]) => p.QueueName === name(logical, spec.fifo));
      const dlq = q.find(([, p]) => p.QueueName === name(`${logical}-dlq`, spec.fifo));
      expect(main, logical).toBeDefined();
      expect(dlq, `${logical} DLQ`).toBeDefined();
      expect(main![1].FifoQueue ?? false).toBe(spec.fifo);
      expect(main![1].VisibilityTimeout).toBe(spec.visibilityTimeoutSeconds);
      expect(main![1].RedrivePolicy).toEqual({
        deadLetterTargetArn: { "Fn::GetAtt": [dlq![0], "Arn"] },
        maxReceiveCount: spec.maxReceiveCount,
      });
      expect(dlq![1].MessageRetentionPeriod).toBe(14 * 24 * 3600);
    }
    const tlsOnly = resources(template, "AWS::SQS::QueuePolicy").filter(([, p]) =>
      JSON.stringify(p.PolicyDocument).includes('"aws:SecureTransport":"false"'),
    );
    expect(tlsOnly).toHaveLength(q.length);
  });

  it("runs one arm64 Node.js 22 function per entry in functions/, with its settings and environment", () => {
    const fns = resources(template, "AWS::Lambda::Function");
    expect(fns.length).toBeGreaterThanOrEqual(4);
    const dir = path.resolve(import.meta.dirname, "../functions");
    const entries = readdirSync(dir).filter((d) => existsSync(path.join(dir, d, "index.ts")));
    expect(entries.sort()).toEqual(Object.keys(functions).sort());
    expect(fns).toHaveLength(Object.keys(functions).length);
    for (const [logical, spec] of Object.entries(functions)) {
      expect(spec.entry).toBe(`functions/${logical}/index.ts`);
      const f = fns.find(([, p]) => p.FunctionName === name(logical));
      expect(f, logical).toBeDefined();
      const p = f![1];
      expect(Number(p.Runtime.match(/^nodejs(\d+)\.x$/)?.[1])).toBeGreaterThanOrEqual(22);
      expect(p.Architectures).toEqual(["arm64"]);
      expect(p.MemorySize).toBe(spec.memoryMB);
      expect(p.Timeout).toBe(spec.timeoutSeconds);
      const env = p.Environment.Variables;
      expect(env.KUMULUS_STAGE).toBe("test");
      expect(env.NODE_OPTIONS).toBe("--enable-source-maps");
      for (const t of Object.keys(tables) as (keyof typeof tables)[])
        expect(env[tableEnvVar(t)]).toEqual({ Ref: idOf("AWS::DynamoDB::Table", "TableName", name(t)) });
      for (const [q, s] of Object.entries(queues) as [keyof typeof queues, { fifo: boolean }][])
        expect(env[queueEnvVar(q)]).toEqual({ Ref: idOf("AWS::SQS::Queue", "QueueName", name(q, s.fifo)) });
      // Logs go to the function's own log group, with a retention.
      const logGroup = refs(p.LoggingConfig?.LogGroup)[0];
      expect(template.toJSON().Resources[logGroup].Properties.RetentionInDays).toBe(30);
    }
  });

  it("maps the stream to the router: batch size, bisect, retries, partial failures, on-failure queue", () => {
    const m = resources(template, "AWS::Lambda::EventSourceMapping");
    const stream = m.filter(([, p]) => p.StartingPosition);
    expect(stream).toHaveLength(1);
    const s = stream[0][1];
    const router = functions["stream-router"].triggers[0];
    expect(refs(s.FunctionName)).toEqual([
      idOf("AWS::Lambda::Function", "FunctionName", name("stream-router")),
    ]);
    expect(s.EventSourceArn).toEqual({
      "Fn::GetAtt": [idOf("AWS::DynamoDB::Table", "TableName", name("objects")), "StreamArn"],
    });
    expect(s.BatchSize).toBe(router.batchSize);
    expect(s.StartingPosition).toBe(router.startingPosition);
    expect(s.BisectBatchOnFunctionError).toBe(true);
    expect(s.MaximumRetryAttempts).toBe(router.retryAttempts);
    expect(s.ParallelizationFactor).toBe(router.parallelizationFactor);
    expect(s.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
    expect(s.DestinationConfig.OnFailure.Destination).toEqual({
      "Fn::GetAtt": [idOf("AWS::SQS::Queue", "QueueName", name("stream-failures")), "Arn"],
    });
  });

  it("maps each queue to its consumer with partial batch failures and max concurrency", () => {
    const sqsMaps = resources(template, "AWS::Lambda::EventSourceMapping").filter(
      ([, p]) => !p.StartingPosition,
    );
    const consumers = Object.entries(functions).flatMap(([fn, spec]) =>
      (spec.triggers as readonly { type: string }[])
        .filter((t) => t.type === "sqs")
        .map(
          (t) =>
            [
              fn,
              t as unknown as { queue: keyof typeof queues; batchSize: number; maxConcurrency: number },
            ] as const,
        ),
    );
    expect(sqsMaps).toHaveLength(consumers.length);
    for (const [fn, t] of consumers) {
      const queueId = idOf("AWS::SQS::Queue", "QueueName", name(t.queue, queues[t.queue].fifo));
      const found = sqsMaps.find(([, p]) => refs(p.EventSourceArn).includes(queueId!));
      expect(found, fn).toBeDefined();
      const p = found![1];
      expect(refs(p.FunctionName)).toEqual([idOf("AWS::Lambda::Function", "FunctionName", name(fn))]);
      expect(p.BatchSize).toBe(t.batchSize);
      expect(p.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
      expect(p.ScalingConfig).toEqual({ MaximumConcurrency: t.maxConcurrency });
    }
  });

  it("serves the API through a RESPONSE_STREAM function URL and outputs the endpoint", () => {
    const urls = resources(template, "AWS::Lambda::Url");
    expect(urls).toHaveLength(1);
    expect(urls[0][1].InvokeMode).toBe("RESPONSE_STREAM");
    expect(urls[0][1].AuthType).toBe("AWS_IAM");
    expect(refs(urls[0][1].TargetFunctionArn)).toEqual([
      idOf("AWS::Lambda::Function", "FunctionName", name("apiserver")),
    ]);
    const outputs = template.findOutputs("*");
    expect(outputs.ApiUrl.Value).toEqual({ "Fn::GetAtt": [urls[0][0], "FunctionUrl"] });
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(["ApiUrl", "Stage", "AlarmTopicArn"]));
    const open = synth({ publicApi: true, nag: false }).template;
    expect(resources(open, "AWS::Lambda::Url")[0][1].AuthType).toBe("NONE");
  });

  it("schedules the tick with EventBridge", () => {
    const rules = resources(template, "AWS::Events::Rule");
    expect(rules).toHaveLength(1);
    expect(rules[0][1].ScheduleExpression).toBe("rate(1 minute)");
    expect(rules[0][1].State).toBe("ENABLED");
    expect(refs(rules[0][1].Targets[0].Arn)).toEqual([
      idOf("AWS::Lambda::Function", "FunctionName", name("tick")),
    ]);
    const perms = resources(template, "AWS::Lambda::Permission").filter(
      ([, p]) => p.Principal === "events.amazonaws.com",
    );
    expect(perms).toHaveLength(1);
  });

  it("alarms on every DLQ's depth, every function's errors and the stream iterator age, to a topic", () => {
    const alarms = resources(template, "AWS::CloudWatch::Alarm").map(([, p]) => p);
    const topic = resources(template, "AWS::SNS::Topic")[0][0];
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: topic }]);
    const byMetric = (m: string) => alarms.filter((a) => a.MetricName === m);
    expect(byMetric("ApproximateNumberOfMessagesVisible")).toHaveLength(Object.keys(queues).length + 1);
    expect(byMetric("Errors")).toHaveLength(Object.keys(functions).length);
    expect(byMetric("IteratorAge")).toHaveLength(1);
    expect(byMetric("IteratorAge")[0].Dimensions[0].Value).toEqual({
      Ref: idOf("AWS::Lambda::Function", "FunctionName", name("stream-router")),
    });
  });

  it("grants no wildcard actions and scopes access to the stack's own tables, queues and log groups", () => {
    const own = new Set(
      [
        "AWS::DynamoDB::Table",
        "AWS::SQS::Queue",
        "AWS::Logs::LogGroup",
        "AWS::SNS::Topic",
        "AWS::Lambda::Function",
      ].flatMap((t) => resources(template, t).map(([id]) => id)),
    );
    const statements = resources(template, "AWS::IAM::Policy").flatMap(([, p]) => p.PolicyDocument.Statement);
    expect(statements.length).toBeGreaterThan(0);
    for (const st of statements) {
      expect(st.Effect).toBe("Allow");
      for (const a of [st.Action].flat()) expect(a, JSON.stringify(st)).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
      for (const r of [st.Resource].flat()) {
        if (r === "*") {
          // ListStreams has no resource-level permissions in IAM; the stream event source needs it on "*".
          expect(st.Action, JSON.stringify(st)).toBe("dynamodb:ListStreams");
          continue;
        }
        const ids = refs(r).filter((id) => id !== "AWS::NoValue");
        expect(ids.length, JSON.stringify(r)).toBeGreaterThan(0);
        for (const id of ids) expect(own.has(id), id).toBe(true);
      }
    }
    // Roles carry no managed policies (no AWSLambdaBasicExecutionRole: logs are granted per log group).
    for (const [, p] of resources(template, "AWS::IAM::Role")) expect(p.ManagedPolicyArns).toBeUndefined();
    // Only the stream router may send to the stream-failures queue; the API server sends only to the
    // controllers and timers queues (node-group rollouts and deletes run in the controllers function).
    const apiRole = refs(
      resources(template, "AWS::Lambda::Function").find(([, p]) => p.FunctionName === name("apiserver"))![1]
        .Role,
    )[0];
    const apiPolicy = resources(template, "AWS::IAM::Policy").find(([, p]) =>
      refs(p.Roles).includes(apiRole),
    )!;
    const apiQueues = (apiPolicy[1].PolicyDocument.Statement as { Action: unknown; Resource: unknown }[])
      .filter((st) => JSON.stringify(st.Action).includes("sqs:SendMessage"))
      .flatMap((st) => refs(st.Resource));
    expect(apiQueues.sort()).toEqual(
      [name("controllers", true), name("timers")].map((q) => idOf("AWS::SQS::Queue", "QueueName", q)).sort(),
    );
  });
});

// A reviewed picture of the deployed topology. Any change to tables, queues, functions, mappings, the URL,
// the schedule, alarms or IAM fails here until someone has reviewed the diff and accepted it with
// `npx vitest run infra-tests/template.test.ts -u` (under CI=true vitest never writes snapshots: it fails).
describe("reviewed topology snapshot", () => {
  it("matches infra-tests/__snapshots__/template.test.ts.snap (update with -u only after review)", () => {
    const reviewed = [
      "AWS::DynamoDB::Table",
      "AWS::SQS::Queue",
      "AWS::Lambda::Function",
      "AWS::Lambda::EventSourceMapping",
      "AWS::Lambda::Url",
      "AWS::Events::Rule",
      "AWS::CloudWatch::Alarm",
      "AWS::SNS::Topic",
      "AWS::IAM::Policy",
    ];
    const summary = Object.fromEntries(
      reviewed.map((type) => [
        type,
        resources(template, type)
          .map(([id, p]) => {
            // Code is stubbed in the tests (bundle.test.ts covers the real bundles).
            const { Code: _code, ...rest } = p;
            return { id, ...rest };
          })
          .sort((a, b) => a.id.localeCompare(b.id)),
      ]),
    );
    expect(summary).toMatchSnapshot();
    expect(triggerWiring("test")).toMatchSnapshot();
  });
});
