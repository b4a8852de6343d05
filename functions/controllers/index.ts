import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { configureFargateProfiles } from "../../lib/apiserver/admission/fargate.ts";
import { DynamoEksRepo } from "../../lib/eks/dynamo-repo.ts";
import { fargateProfileLookup } from "../../lib/eks/fargate-lookup.ts";
import { configureNodegroups } from "../../lib/eks/node-host.ts";
import { registerNode } from "../../lib/kubelet/nodes.ts";
import { registerControllers } from "../../lib/loops/modules.ts";
import { defaultStore } from "../../lib/runtime/store.ts";
import { runWorkItems } from "../../lib/runtime/work.ts";
import { connectInProcessApi } from "../in-process-api.ts";

connectInProcessApi();
// Loops that launch capacity (rollouts, the Cluster Autoscaler, Fargate) register nodes as the EKS API does.
configureNodegroups({ nodes: { register: registerNode } });
// Pods the controllers create (ReplicaSets, Jobs, StatefulSets) pass the same Fargate admission step as the API's.
configureFargateProfiles(fargateProfileLookup(new DynamoEksRepo(defaultStore())));
registerControllers();

// Consumes {cluster, controller, key} work items from the controllers queue. Failed items are reported
// individually so SQS redelivers only those (ReportBatchItemFailures).
export const handler = (event: SQSEvent): Promise<SQSBatchResponse> => runWorkItems("controllers", event);
