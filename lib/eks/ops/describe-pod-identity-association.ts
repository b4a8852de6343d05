import { getCluster } from "../mutate.ts";
import type { Op } from "../op.ts";
import { associationOf, associationOut } from "../pod-identity.ts";

// DescribePodIdentityAssociation (GET /clusters/{name}/pod-identity-associations/{associationId}).

export const describePodIdentityAssociation: Op = async (ctx, req) => {
  const doc = await getCluster(ctx, req.params.name);
  return { association: associationOut(doc.name, associationOf(doc, req.params.associationId)) };
};
