import { entryOf } from "../access-entries.ts";
import { EksError } from "../errors.ts";
import { mutateCluster } from "../mutate.ts";
import type { Op } from "../op.ts";

// DisassociateAccessPolicy (DELETE /clusters/{name}/access-entries/{principalArn}/access-policies/{policyArn}).

export const disassociateAccessPolicy: Op = async (ctx, req) => {
  const cluster = req.params.name;
  const policyArn = req.params.policyArn;
  await mutateCluster(ctx, cluster, (doc) => {
    const entry = entryOf(doc, req.params.principalArn);
    if (!entry.policies[policyArn])
      throw new EksError(
        "ResourceNotFoundException",
        `The policyArn ${policyArn} is not associated with the specified principalArn.`,
        { clusterName: cluster },
      );
    delete entry.policies[policyArn];
  });
  return {};
};
