import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { registerControllers } from "../../lib/loops/modules.ts";
import { runWorkItems } from "../../lib/runtime/work.ts";
import { connectInProcessApi } from "../in-process-api.ts";

connectInProcessApi();
registerControllers();

// Consumes {cluster, controller, key} work items from the kubelet queue. Failed items are reported
// individually so SQS redelivers only those (ReportBatchItemFailures).
export const handler = (event: SQSEvent): Promise<SQSBatchResponse> => runWorkItems("kubelet", event);
