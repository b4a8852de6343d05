import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { configureNodegroups } from "../../lib/eks/node-host.ts";
import { registerNode } from "../../lib/kubelet/nodes.ts";
import { registerControllers } from "../../lib/loops/modules.ts";
import { runTick } from "../../lib/runtime/tick.ts";
import { forwardTimers } from "../../lib/runtime/timers.ts";
import { connectInProcessApi } from "../in-process-api.ts";

connectInProcessApi();
// Loops that launch capacity (rollouts, the Cluster Autoscaler, Fargate) register nodes as the EKS API does.
configureNodegroups({ nodes: { register: registerNode } });
registerControllers();

// Two triggers: a schedule (EventBridge in AWS, a timer locally) for periodic work, and the timers queue,
// whose due items it forwards to their work queues.
export const handler = async (event: SQSEvent | object): Promise<SQSBatchResponse | undefined> => {
  if ("Records" in event && Array.isArray(event.Records)) return forwardTimers(event);
  await runTick();
  return undefined;
};
