import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { QueueName, TableName } from "../lib/topology.ts";
import { tables } from "../lib/topology.ts";
import { createTableInputs, queueDefinitions } from "../lib/topology-wiring.ts";

// Creates the topology's tables and queues on the emulators (or LocalStack) with the same inputs the parity
// tests compare against the CDK template.

export interface Provisioned {
  tables: Record<TableName, { name: string; streamArn?: string }>;
  queues: Record<QueueName, { url: string; arn: string; dlqUrl: string }>;
}

export async function provisionTables(ddb: DynamoDBClient, stage: string): Promise<Provisioned["tables"]> {
  const out = {} as Provisioned["tables"];
  const inputs = createTableInputs(stage);
  for (const logical of Object.keys(tables) as TableName[]) {
    const input = inputs[logical];
    try {
      await ddb.send(new CreateTableCommand(input));
      const ttl = (tables[logical] as { ttlAttribute?: string }).ttlAttribute;
      if (ttl) {
        await ddb.send(
          new UpdateTimeToLiveCommand({
            TableName: input.TableName,
            TimeToLiveSpecification: { AttributeName: ttl, Enabled: true },
          }),
        );
      }
    } catch (e) {
      if (!(e instanceof ResourceInUseException) && (e as Error).name !== "ResourceInUseException") throw e;
    }
    const desc = await ddb.send(new DescribeTableCommand({ TableName: input.TableName }));
    out[logical] = { name: input.TableName!, streamArn: desc.Table?.LatestStreamArn };
  }
  return out;
}

export async function provisionQueues(sqs: SQSClient, stage: string): Promise<Provisioned["queues"]> {
  const out = {} as Provisioned["queues"];
  for (const def of queueDefinitions(stage)) {
    const dlq = await sqs.send(
      new CreateQueueCommand({ QueueName: def.dlqName, Attributes: def.dlqAttributes }),
    );
    const dlqArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] }))
    ).Attributes?.QueueArn;
    const q = await sqs.send(
      new CreateQueueCommand({
        QueueName: def.name,
        Attributes: {
          ...def.attributes,
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqArn,
            maxReceiveCount: def.maxReceiveCount,
          }),
        },
      }),
    );
    const arn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.QueueUrl, AttributeNames: ["QueueArn"] }))
    ).Attributes?.QueueArn;
    out[def.logical] = { url: q.QueueUrl!, arn: arn!, dlqUrl: dlq.QueueUrl! };
  }
  return out;
}
