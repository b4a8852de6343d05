import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { fanOut } from "../../lib/loops/fanout.ts";
import { ROUTED_WITH_OBJECT } from "../../lib/loops/modules.ts";
import { defaultStore } from "../../lib/runtime/store.ts";
import { StreamRouter } from "../../lib/watch/router.ts";

// Consumes the objects table's stream: writes the watch log and fans work items out to the SQS queues.
const router = new StreamRouter(defaultStore(), fanOut, ROUTED_WITH_OBJECT);

export const handler = (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => router.handle(event);
