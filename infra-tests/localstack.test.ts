import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { createTableInputs, queueDefinitions, timeToLiveInputs } from "../lib/topology-wiring.ts";

// Runs against the stack localstack/deploy.sh deployed to LocalStack, when LOCALSTACK_ENDPOINT is set (the
// workflow .github/workflows/localstack.yml does this). Our own machines have no Docker engine, so there the
// suite is skipped and says why. Stage, stack and outputs file follow localstack/env.sh.

const endpoint = process.env.LOCALSTACK_ENDPOINT;
const stage = process.env.KUMULUS_STAGE ?? "localstack";
const stack = `Kumulus-${stage}`;
const outputsFile = path.resolve(import.meta.dirname, "../localstack/outputs.json");
const skipReason = endpoint
  ? ""
  : "LOCALSTACK_ENDPOINT is not set. It needs Docker, which this machine does not have: start LocalStack " +
    "(docker compose -f localstack/docker-compose.yml up -d --wait), run localstack/deploy.sh, then " +
    "LOCALSTACK_ENDPOINT=http://localhost:4566 npx vitest run infra-tests/localstack.test.ts";

if (skipReason) {
  describe("Kumulus on LocalStack", () => {
    it.skip(`skipped: ${skipReason}`, () => {});
  });
  // Say it where people look, not only in the test list.
  console.info(`[infra-tests] LocalStack suite skipped: ${skipReason}`);
} else {
  describe(`Kumulus on LocalStack (${endpoint}, stack ${stack})`, () => {
    const aws = {
      endpoint,
      region: process.env.AWS_REGION ?? "us-east-1",
      credentials: {
        accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? "test",
        secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? "test",
      },
    };
    const api = (): string => {
      if (!existsSync(outputsFile))
        throw new Error(`${outputsFile} is missing: run localstack/deploy.sh before this suite`);
      const outputs = JSON.parse(readFileSync(outputsFile, "utf8")) as Record<string, { ApiUrl?: string }>;
      const url = outputs[stack]?.ApiUrl;
      if (!url) throw new Error(`${outputsFile} has no ApiUrl output for ${stack}`);
      return url.replace(/\/$/, "");
    };
    const json = (body: unknown) => ({
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

    it("deployed the tables the local runtime creates (keys, stream view type, TTL)", async () => {
      const ddb = new DynamoDBClient(aws);
      const ttl = new Map(timeToLiveInputs(stage).map((t) => [t.TableName, t]));
      for (const input of Object.values(createTableInputs(stage))) {
        const { Table } = await ddb.send(new DescribeTableCommand({ TableName: input.TableName }));
        expect(Table?.KeySchema).toEqual(input.KeySchema);
        expect(Table?.StreamSpecification?.StreamViewType).toBe(input.StreamSpecification?.StreamViewType);
        const live = await ddb.send(new DescribeTimeToLiveCommand({ TableName: input.TableName }));
        const want = ttl.get(input.TableName);
        if (want)
          expect(live.TimeToLiveDescription?.AttributeName).toBe(want.TimeToLiveSpecification?.AttributeName);
      }
    });

    it("deployed the queues the local runtime creates, each with its DLQ and maxReceiveCount", async () => {
      const sqs = new SQSClient(aws);
      for (const q of queueDefinitions(stage)) {
        const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: q.name }));
        const { Attributes } = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }),
        );
        expect(Attributes?.FifoQueue === "true").toBe(q.fifo);
        const redrive = JSON.parse(Attributes?.RedrivePolicy ?? "{}");
        expect(Number(redrive.maxReceiveCount)).toBe(q.maxReceiveCount);
        expect(String(redrive.deadLetterTargetArn)).toMatch(new RegExp(`:${q.dlqName.replace(".", "\\.")}$`));
      }
    });

    it("serves the API through the function URL: readyz, clusters, objects", async () => {
      expect((await fetch(`${api()}/readyz`)).status).toBe(200);
      const name = `ls-${Date.now()}`;
      expect((await fetch(`${api()}/clusters`, json({ name }))).status).toBe(200);
      const base = `${api()}/clusters/${name}/api/v1/namespaces/default/configmaps`;
      const created = await fetch(
        base,
        json({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: { a: "b" } }),
      );
      expect(created.status).toBe(201);
      const list = (await (await fetch(base)).json()) as { items: { metadata: { name: string } }[] };
      expect(list.items.map((i) => i.metadata.name)).toContain("x");
    });

    it("streams a watch through the RESPONSE_STREAM URL, fed by the stream router", async () => {
      const name = `lsw-${Date.now()}`;
      await fetch(`${api()}/clusters`, json({ name }));
      const base = `${api()}/clusters/${name}/api/v1/namespaces/default/configmaps`;
      const listed = (await (await fetch(base)).json()) as { metadata: { resourceVersion: string } };
      const abort = new AbortController();
      const res = await fetch(`${base}?watch=true&resourceVersion=${listed.metadata.resourceVersion}`, {
        signal: abort.signal,
      });
      expect(res.status).toBe(200);
      await fetch(base, json({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "w" } }));
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = "";
      const deadline = Date.now() + 60_000;
      while (!text.includes('"ADDED"') && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      abort.abort();
      expect(text).toContain('"ADDED"');
      expect(text).toContain('"name":"w"');
    });
  });
}
