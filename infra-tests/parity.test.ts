import type { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import type { Topology } from "../cdk/stack.ts";
import { topology } from "../lib/topology.ts";
import { createTableInputs, queueDefinitions, triggerWiring } from "../lib/topology-wiring.ts";
import { resources, synth } from "./synth.ts";

// Topology parity: the CloudFormation template and the local runtime (which creates its tables and queues
// and starts its pollers from lib/topology-wiring.ts) must wire the same things.

const STAGE = "test";

/** Everything the local runtime wires, as comparable plain data. */
function localWiring() {
  const t = createTableInputs(STAGE);
  return {
    tables: Object.values(t)
      .map((i) => ({
        name: i.TableName,
        keys: i.KeySchema,
        attrs: i.AttributeDefinitions,
        stream: i.StreamSpecification?.StreamViewType ?? null,
      }))
      .sort((a, b) => String(a.name).localeCompare(String(b.name))),
    queues: queueDefinitions(STAGE)
      .map((q) => ({
        name: q.name,
        dlq: q.dlqName,
        fifo: q.attributes.FifoQueue === "true",
        visibility: Number(q.attributes.VisibilityTimeout),
        maxReceiveCount: q.maxReceiveCount,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    triggers: triggerWiring()
      .map((w) => ({ fn: `kumulus-${STAGE}-${w.function}`, type: w.type, batchSize: w.batchSize ?? null }))
      .sort((a, b) => `${a.fn}${a.type}`.localeCompare(`${b.fn}${b.type}`)),
    functions: Object.keys(topology.functions)
      .map((f) => `kumulus-${STAGE}-${f}`)
      .sort(),
  };
}

/** The same data, read back from the template. */
function templateWiring(template: Template) {
  const tables = resources(template, "AWS::DynamoDB::Table");
  const queues = resources(template, "AWS::SQS::Queue");
  const fns = resources(template, "AWS::Lambda::Function").filter(([, p]) =>
    String(p.FunctionName ?? "").startsWith("kumulus-"),
  );
  const fnName = (ref: unknown) => {
    const id = JSON.stringify(ref).match(/"(Fn[A-Za-z0-9]+)"/)?.[1];
    return fns.find(([fid]) => fid === id)?.[1].FunctionName;
  };
  const qName = (arn: unknown) => {
    const id = JSON.stringify(arn).match(/"((?:Queue|Dlq)[A-Za-z0-9]+)"/)?.[1];
    return queues.find(([qid]) => qid === id)?.[1].QueueName;
  };
  const rules = resources(template, "AWS::Events::Rule");
  return {
    tables: tables
      .map(([, p]) => ({
        name: p.TableName,
        keys: p.KeySchema,
        attrs: p.AttributeDefinitions,
        stream: p.StreamSpecification?.StreamViewType ?? null,
      }))
      .sort((a, b) => String(a.name).localeCompare(String(b.name))),
    queues: queues
      .filter(([, p]) => p.RedrivePolicy)
      .map(([, p]) => ({
        name: p.QueueName,
        dlq: qName(p.RedrivePolicy.deadLetterTargetArn),
        fifo: p.FifoQueue === true,
        visibility: p.VisibilityTimeout,
        maxReceiveCount: p.RedrivePolicy.maxReceiveCount,
      }))
      .sort((a, b) => String(a.name).localeCompare(String(b.name))),
    triggers: [
      ...resources(template, "AWS::Lambda::EventSourceMapping").map(([, p]) => ({
        fn: fnName(p.FunctionName),
        type: p.StartingPosition ? "stream" : "sqs",
        batchSize: p.BatchSize,
      })),
      ...rules.flatMap(([, p]) =>
        p.Targets.map((t: { Arn: unknown }) => ({ fn: fnName(t.Arn), type: "schedule", batchSize: null })),
      ),
    ].sort((a, b) => `${a.fn}${a.type}`.localeCompare(`${b.fn}${b.type}`)),
    functions: fns.map(([, p]) => p.FunctionName).sort(),
  };
}

describe("topology parity between the CDK app and the local runtime", () => {
  it("wires the same tables, queues, DLQs, functions, triggers and batch settings", () => {
    expect(templateWiring(synth({ stage: STAGE }).template)).toEqual(localWiring());
  });

  it("notices a batch size changed on one side only", () => {
    const drifted = structuredClone(topology) as unknown as Topology;
    (drifted.functions["stream-router"].triggers[0] as { batchSize: number }).batchSize = 7;
    expect(templateWiring(synth({ stage: STAGE, topology: drifted }).template)).not.toEqual(localWiring());
  });

  it("notices a stream view type changed on one side only", () => {
    const drifted = structuredClone(topology) as unknown as Topology;
    (drifted.tables.objects as { stream: string }).stream = "NEW_IMAGE";
    expect(templateWiring(synth({ stage: STAGE, topology: drifted }).template)).not.toEqual(localWiring());
  });
});
