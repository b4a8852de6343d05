import { getCluster } from "../mutate.ts";
import { type Op, queryOne } from "../op.ts";
import { pageOf } from "../pagination.ts";
import { associationSummaryOut } from "../pod-identity.ts";

// ListPodIdentityAssociations (GET /clusters/{name}/pod-identity-associations?namespace&serviceAccount):
// summaries in a stable order (namespace, service account), optionally filtered by either.

export const listPodIdentityAssociations: Op = async (ctx, req) => {
  const doc = await getCluster(ctx, req.params.name);
  const namespace = queryOne(req, "namespace");
  const serviceAccount = queryOne(req, "serviceAccount");
  const keyOf = (a: { namespace: string; serviceAccount: string }) => `${a.namespace}/${a.serviceAccount}`;
  const matching = Object.values(doc.podIdentityAssociations ?? {})
    .filter((a) => namespace === undefined || a.namespace === namespace)
    .filter((a) => serviceAccount === undefined || a.serviceAccount === serviceAccount)
    .sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  const page = pageOf(matching, keyOf, req, true);
  const associations = page.items.map((a) => associationSummaryOut(doc.name, a));
  return page.nextToken ? { associations, nextToken: page.nextToken } : { associations };
};
