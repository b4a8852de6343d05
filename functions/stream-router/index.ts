import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { fanOut } from "../../lib/runtime/fanout.ts";
import { defaultStore } from "../../lib/runtime/store.ts";
import { StreamRouter } from "../../lib/watch/router.ts";

// Consumes the objects table's stream: writes the watch log and fans work items out to the SQS queues.
const router = new StreamRouter(defaultStore(), fanOut);

export const handler = (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => router.handle(event);
