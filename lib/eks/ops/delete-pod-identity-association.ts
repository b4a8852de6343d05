import { mutateCluster } from "../mutate.ts";
import type { Op } from "../op.ts";
import { associationOf, associationOut } from "../pod-identity.ts";

// DeletePodIdentityAssociation (DELETE /clusters/{name}/pod-identity-associations/{associationId}): answers
// the association as it was.

export const deletePodIdentityAssociation: Op = async (ctx, req) => {
  const cluster = req.params.name;
  const { result } = await mutateCluster(ctx, cluster, (doc) => {
    const a = associationOf(doc, req.params.associationId);
    delete doc.podIdentityAssociations?.[a.associationId];
    return a;
  });
  return { association: associationOut(cluster, result) };
};
