import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runtimeEnv } from "../../lib/runtime/env.ts";
import { reconcilers, type WorkItem } from "../../lib/runtime/work.ts";
import { physicalName } from "../../lib/topology.ts";
import { freePort } from "../../local/dynamodb.ts";
import { startStack } from "../../local/stack.ts";
import { registerStack } from "../auth.ts";
import { newCluster, type TestCluster, testCaDir, waitFor } from "../helpers.ts";

// The control loops survive failures: a reconcile that throws mid-batch is redelivered by SQS (only that
// item, after a back-off) and no work is lost; a poison item ends in the dead-letter queue without
// blocking any other key. This file runs its own stack in process so it can break a reconciler.

let stack: Awaited<ReturnType<typeof startStack>>;
let k: TestCluster;

beforeAll(async () => {
  // The injected failures log warnings by design; keep the test output quiet.
  process.env.KUMULUS_LOG_LEVEL = "error";
  stack = await startStack({
    port: await freePort(),
    dataDir: mkdtempSync(path.join(tmpdir(), "kumulus-robust-")),
    clusters: ["local"],
    caDir: testCaDir(),
  });
  registerStack(stack.url, stack.filesDir);
  k = await newCluster("robust", 2, stack.url);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe("control loops under failure", () => {
  it("redelivers a reconcile that crashed mid-batch and loses no work", async () => {
    const original = reconcilers.controllers.replicaset!;
    let crashes = 0;
    reconcilers.controllers.replicaset = async (item: WorkItem) => {
      if (item.cluster === k.name && crashes < 3) {
        crashes++;
        throw new Error("injected crash in the middle of a batch");
      }
      return original(item);
    };
    try {
      expect((await k.kubectlP(["create", "deployment", "web", "--image=nginx", "--replicas=4"])).code).toBe(
        0,
      );
      const r = await k.kubectlP(["rollout", "status", "deploy/web", "--timeout=120s"]);
      expect(r.code, r.stderr).toBe(0);
      expect(crashes).toBe(3);
      const pods = JSON.parse(
        (await k.kubectlP(["get", "pods", "-l", "app=web", "-o", "json"])).stdout,
      ).items;
      expect(pods).toHaveLength(4);
    } finally {
      reconcilers.controllers.replicaset = original;
    }
  });

  it("moves a poison item to the DLQ without blocking other keys", async () => {
    const env = runtimeEnv();
    const url = env.queues.controllers!;
    await env.sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: JSON.stringify({ cluster: k.name, controller: "no-such-controller", key: "poison" }),
        MessageGroupId: "poison",
        MessageDeduplicationId: `poison-${Date.now()}`,
      }),
    );
    // Other keys keep flowing while the poison item is retried.
    expect((await k.kubectlP(["create", "deployment", "api", "--image=nginx", "--replicas=2"])).code).toBe(0);
    expect((await k.kubectlP(["rollout", "status", "deploy/api", "--timeout=120s"])).code).toBe(0);

    const dlqName = physicalName(env.stage, "controllers-dlq", true);
    const { QueueUrl: dlq } = await env.sqs.send(new GetQueueUrlCommand({ QueueName: dlqName }));
    const seen = await waitFor(
      async () => {
        const out = await env.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
        );
        return (out.Messages ?? []).find((m) => m.Body?.includes("no-such-controller"));
      },
      90_000,
      "the poison item in the DLQ",
    );
    expect(JSON.parse(seen.Body!)).toMatchObject({ controller: "no-such-controller", key: "poison" });
  });
});
