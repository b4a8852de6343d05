import { log } from "../log.ts";
import { createNodegroup } from "./ops/create-nodegroup.ts";
import type { ClusterDoc, EksContext } from "./repo.ts";

// Kumulus' `nodes` extension of CreateCluster (and `npm start -- --nodes N`): the cluster starts with one
// managed node group, as `eksctl create cluster --nodes N` makes: `ng-default`, N nodes of m5.large (or the
// `nodeType` given), min = max = desired = N, over the cluster's subnets. It is an ordinary node group: it
// scales, upgrades and must be deleted before the cluster, as on EKS.

export const DEFAULT_NODEGROUP = "ng-default";
export const DEFAULT_NODE_TYPE = "m5.large";

export async function createDefaultNodegroup(ctx: EksContext, doc: ClusterDoc): Promise<void> {
  const n = doc.nodes ?? 0;
  if (n <= 0) return;
  try {
    await createNodegroup(ctx, {
      params: { name: doc.name },
      query: {},
      caller: {
        arn: `arn:aws:iam::${ctx.account}:root`,
        account: ctx.account,
        userId: ctx.account,
        principalType: "root",
      },
      body: {
        nodegroupName: DEFAULT_NODEGROUP,
        instanceTypes: [doc.nodeType ?? DEFAULT_NODE_TYPE],
        scalingConfig: { minSize: n, maxSize: n, desiredSize: n },
        subnets: [...doc.resourcesVpcConfig.subnetIds],
        nodeRole: `arn:aws:iam::${ctx.account}:role/kumulus-node`,
        clientRequestToken: `${doc.arn}/ng-default`,
      },
    });
  } catch (e) {
    // The cluster stands without it; DescribeNodegroup says what went wrong when the group was recorded.
    log("error", "default node group failed", { cluster: doc.name, error: String(e) });
  }
}
