import type { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { topology } from "../lib/topology.ts";
import {
  createTableInputs,
  functionDefinitions,
  queueDefinitions,
  type Topology,
  timeToLiveInputs,
  triggerWiring,
} from "../lib/topology-wiring.ts";
import { provisionQueues, provisionTables } from "../local/provision.ts";
import { refs, resources, synth } from "./synth.ts";

// Topology parity. The local runtime creates its tables and queues from lib/topology-wiring.ts (see
// local/provision.ts) and runs its pollers with the same trigger settings; the CDK stack is built from
// lib/topology.ts on its own. Here both are reduced to the same plain data and compared, so a batch size,
// stream view type, key schema, FIFO flag or maxReceiveCount changed on one side only fails the build.

const STAGE = "parity";
const byName = <T extends { name: unknown }>(xs: T[]) =>
  xs.sort((a, b) => String(a.name).localeCompare(String(b.name)));

/** What the local runtime wires, from lib/topology-wiring.ts. */
function localWiring(topo?: Topology) {
  const ttl = Object.fromEntries(
    timeToLiveInputs(STAGE, topo).map((t) => [t.TableName, t.TimeToLiveSpecification?.AttributeName]),
  );
  return {
    tables: byName(
      Object.values(createTableInputs(STAGE, topo)).map((t) => ({
        name: t.TableName,
        billing: t.BillingMode,
        keys: t.KeySchema,
        attributes: t.AttributeDefinitions,
        stream: t.StreamSpecification?.StreamViewType ?? null,
        ttl: ttl[t.TableName!] ?? null,
      })),
    ),
    queues: byName(
      queueDefinitions(STAGE, topo).map((q) => ({
        name: q.name,
        fifo: q.fifo,
        visibilityTimeout: Number(q.attributes.VisibilityTimeout),
        maxReceiveCount: q.maxReceiveCount,
        dlq: { name: q.dlqName, fifo: q.dlqAttributes.FifoQueue === "true" },
      })),
    ),
    functions: byName(
      functionDefinitions(STAGE, topo).map((f) => ({
        name: f.name,
        memory: f.memoryMB,
        timeout: f.timeoutSeconds,
        invokeMode: f.invokeMode ?? null,
        environment: [...f.environmentKeys].sort(),
      })),
    ),
    triggers: triggerWiring(STAGE, topo)
      .map((t) =>
        t.type === "stream"
          ? {
              type: t.type,
              function: t.functionName,
              source: t.sourceName,
              batchSize: t.batchSize,
              window: t.maxBatchingWindowSeconds,
              startingPosition: t.startingPosition,
              bisect: t.bisectBatchOnError,
              retries: t.retryAttempts,
              parallelization: t.parallelizationFactor,
              reportBatchItemFailures: t.reportBatchItemFailures,
              onFailure: t.onFailureQueue,
            }
          : t.type === "sqs"
            ? {
                type: t.type,
                function: t.functionName,
                source: t.sourceName,
                batchSize: t.batchSize,
                maxConcurrency: t.maxConcurrency,
                reportBatchItemFailures: t.reportBatchItemFailures,
              }
            : { type: t.type, function: t.functionName, source: t.scheduleExpression },
      )
      .sort((a, b) => `${a.function} ${a.source}`.localeCompare(`${b.function} ${b.source}`)),
  };
}

/** The same data, read back from the CloudFormation template. */
function templateWiring(template: Template) {
  const all = (type: string) => new Map(resources(template, type));
  const tables = all("AWS::DynamoDB::Table");
  const queues = all("AWS::SQS::Queue");
  const fns = all("AWS::Lambda::Function");
  const urls = resources(template, "AWS::Lambda::Url");
  const one = <T>(value: unknown, from: Map<string, T>): T => {
    const hits = refs(value).filter((id) => from.has(id));
    if (hits.length !== 1) throw new Error(`expected one reference in ${JSON.stringify(value)}`);
    return from.get(hits[0])!;
  };
  return {
    tables: byName(
      [...tables.values()].map((p) => ({
        name: p.TableName,
        billing: p.BillingMode,
        keys: p.KeySchema,
        attributes: p.AttributeDefinitions,
        stream: p.StreamSpecification?.StreamViewType ?? null,
        ttl: p.TimeToLiveSpecification?.Enabled ? p.TimeToLiveSpecification.AttributeName : null,
      })),
    ),
    queues: byName(
      [...queues.values()]
        .filter((p) => p.RedrivePolicy)
        .map((p) => {
          const dlq = one(p.RedrivePolicy.deadLetterTargetArn, queues);
          return {
            name: p.QueueName,
            fifo: p.FifoQueue === true,
            visibilityTimeout: p.VisibilityTimeout,
            maxReceiveCount: p.RedrivePolicy.maxReceiveCount,
            dlq: { name: dlq.QueueName, fifo: dlq.FifoQueue === true },
          };
        }),
    ),
    functions: byName(
      [...fns.entries()].map(([id, p]) => ({
        name: p.FunctionName,
        memory: p.MemorySize,
        timeout: p.Timeout,
        invokeMode: urls.find(([, u]) => refs(u.TargetFunctionArn).includes(id))?.[1].InvokeMode ?? null,
        environment: Object.keys(p.Environment?.Variables ?? {})
          .filter((k) => k !== "NODE_OPTIONS")
          .sort(),
      })),
    ),
    triggers: [
      ...resources(template, "AWS::Lambda::EventSourceMapping").map(([, p]) => {
        const fn = one(p.FunctionName, fns).FunctionName;
        const reportBatchItemFailures = (p.FunctionResponseTypes ?? []).includes("ReportBatchItemFailures");
        if (p.StartingPosition) {
          return {
            type: "stream",
            function: fn,
            source: one(p.EventSourceArn, tables).TableName,
            batchSize: p.BatchSize,
            window: p.MaximumBatchingWindowInSeconds ?? 0,
            startingPosition: p.StartingPosition,
            bisect: p.BisectBatchOnFunctionError ?? false,
            retries: p.MaximumRetryAttempts,
            parallelization: p.ParallelizationFactor ?? 1,
            reportBatchItemFailures,
            onFailure: one(p.DestinationConfig?.OnFailure?.Destination, queues).QueueName,
          };
        }
        return {
          type: "sqs",
          function: fn,
          source: one(p.EventSourceArn, queues).QueueName,
          batchSize: p.BatchSize,
          maxConcurrency: p.ScalingConfig?.MaximumConcurrency,
          reportBatchItemFailures,
        };
      }),
      ...resources(template, "AWS::Events::Rule").flatMap(([, p]) =>
        p.Targets.map((t: { Arn: unknown }) => ({
          type: "schedule",
          function: one(t.Arn, fns).FunctionName,
          source: p.ScheduleExpression,
        })),
      ),
    ].sort((a, b) => `${a.function} ${a.source}`.localeCompare(`${b.function} ${b.source}`)),
  };
}

const mutate = (f: (t: any) => void): Topology => {
  const copy = structuredClone(topology) as unknown as Topology;
  f(copy);
  return copy;
};

// One-sided changes: each is applied to the topology the stack is built from, while the local side keeps
// the real one. Every one of them must be caught.
const drifts: [string, (t: any) => void][] = [
  ["the stream router's batch size", (t) => (t.functions["stream-router"].triggers[0].batchSize = 7)],
  ["the objects stream view type", (t) => (t.tables.objects.stream = "NEW_IMAGE")],
  ["the stream's retry limit", (t) => (t.functions["stream-router"].triggers[0].retryAttempts = 3)],
  ["bisect on error", (t) => (t.functions["stream-router"].triggers[0].bisectBatchOnError = false)],
  ["a queue consumer's batch size", (t) => (t.functions.controllers.triggers[0].batchSize = 1)],
  ["a queue consumer's max concurrency", (t) => (t.functions.kubelet.triggers[0].maxConcurrency = 3)],
  ["a queue's maxReceiveCount", (t) => (t.queues.scheduler.maxReceiveCount = 9)],
  ["a queue's FIFO-ness", (t) => (t.queues.controllers.fifo = false)],
  ["a sort key's type", (t) => (t.tables.watchlog.sortKey.type = "S")],
  ["the watch log's TTL attribute", (t) => (t.tables.watchlog.ttlAttribute = "expires")],
  ["a function's memory", (t) => (t.functions.tick.memoryMB = 128)],
  ["the tick's schedule", (t) => (t.functions.tick.triggers[0].rateMinutes = 5)],
  ["the function list", (t) => delete t.functions.kubelet],
  ["the table list", (t) => (t.tables.extra = { partitionKey: { name: "pk", type: "S" }, purpose: "x" })],
];

describe("topology parity between the CDK app and the local runtime", () => {
  it("wires the same tables, key schemas, streams, queues, DLQs, functions, triggers and batch settings", () => {
    const local = localWiring();
    expect(templateWiring(synth({ stage: STAGE }).template)).toEqual(local);
    // The comparison covers what the issue lists, not an empty set.
    expect(local.tables.find((t) => t.name === `kumulus-${STAGE}-objects`)?.stream).toBe(
      "NEW_AND_OLD_IMAGES",
    );
    expect(local.queues.length).toBeGreaterThanOrEqual(3);
    expect(local.functions.length).toBeGreaterThanOrEqual(4);
    expect(local.triggers.map((t) => t.type).sort()).toEqual(
      expect.arrayContaining(["schedule", "sqs", "stream"]),
    );
  });

  it.each(drifts)("fails when %s changes on one side only", (_, change) => {
    const drifted = mutate(change);
    // The stack built from the changed topology no longer matches the local wiring...
    expect(templateWiring(synth({ stage: STAGE, topology: drifted, nag: false }).template)).not.toEqual(
      localWiring(),
    );
    // ...and the local wiring of the changed topology no longer matches the real stack.
    expect(localWiring(drifted)).not.toEqual(templateWiring(synth({ stage: STAGE }).template));
  });

  it("follows a change made in lib/topology.ts on both sides (no false alarm)", () => {
    const changed = mutate((t) => {
      t.functions["stream-router"].triggers[0].batchSize = 50;
      t.queues.kubelet.maxReceiveCount = 3;
      t.tables.clusters.stream = "NEW_AND_OLD_IMAGES";
    });
    expect(templateWiring(synth({ stage: STAGE, topology: changed, nag: false }).template)).toEqual(
      localWiring(changed),
    );
  });

  it("matches what local/provision.ts actually sends to DynamoDB and SQS", async () => {
    const sent: { command: string; input: any }[] = [];
    const fake = (reply: (command: string, input: any) => unknown) =>
      ({
        send: async (cmd: { constructor: { name: string }; input: any }) => {
          sent.push({ command: cmd.constructor.name, input: cmd.input });
          return reply(cmd.constructor.name, cmd.input);
        },
      }) as never;
    await provisionTables(
      fake((_, input) => ({ Table: { LatestStreamArn: `arn:stream/${input.TableName}` } })),
      STAGE,
    );
    await provisionQueues(
      fake((command, input) =>
        command === "CreateQueueCommand"
          ? { QueueUrl: `http://sqs/${input.QueueName}` }
          : { Attributes: { QueueArn: `arn:aws:sqs:us-east-1:0:${input.QueueUrl.split("/").pop()}` } },
      ),
      STAGE,
    );
    const tmpl = templateWiring(synth({ stage: STAGE }).template);

    const created = sent.filter((s) => s.command === "CreateTableCommand").map((s) => s.input);
    const ttls = sent.filter((s) => s.command === "UpdateTimeToLiveCommand").map((s) => s.input);
    expect(
      byName(
        created.map((t) => ({
          name: t.TableName,
          billing: t.BillingMode,
          keys: t.KeySchema,
          attributes: t.AttributeDefinitions,
          stream: t.StreamSpecification?.StreamViewType ?? null,
          ttl: ttls.find((x) => x.TableName === t.TableName)?.TimeToLiveSpecification?.AttributeName ?? null,
        })),
      ),
    ).toEqual(tmpl.tables);

    const queues = sent.filter((s) => s.command === "CreateQueueCommand").map((s) => s.input);
    const local = queues
      .filter((q) => q.Attributes?.RedrivePolicy)
      .map((q) => {
        const redrive = JSON.parse(q.Attributes.RedrivePolicy);
        const dlqName = String(redrive.deadLetterTargetArn).split(":").pop();
        const dlq = queues.find((d) => d.QueueName === dlqName);
        return {
          name: q.QueueName,
          fifo: q.Attributes.FifoQueue === "true",
          visibilityTimeout: Number(q.Attributes.VisibilityTimeout),
          maxReceiveCount: Number(redrive.maxReceiveCount),
          dlq: { name: dlq?.QueueName, fifo: dlq?.Attributes?.FifoQueue === "true" },
        };
      });
    expect(byName(local)).toEqual(tmpl.queues);
  });
});
