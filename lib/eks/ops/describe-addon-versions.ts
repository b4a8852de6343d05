import { ADDONS, addonInfo } from "../addons/catalog.ts";
import { type Op, queryOne } from "../op.ts";
import { pageOf } from "../pagination.ts";

// DescribeAddonVersions (GET /addons/supported-versions?kubernetesVersion&addonName&types&publishers&owners).
// With kubernetesVersion, only the add-ons and versions that run on it are listed, each with that single
// compatibility; an add-on that does not exist (for that version) is simply absent, as on EKS.

export const describeAddonVersions: Op = async (_ctx, req) => {
  const k8s = queryOne(req, "kubernetesVersion");
  const name = queryOne(req, "addonName");
  const { types, publishers, owners } = req.query;
  const matches = [...ADDONS]
    .filter(
      (a) =>
        (!name || a.addonName === name) &&
        (!types || types.includes(a.type)) &&
        (!publishers || publishers.includes(a.publisher)) &&
        (!owners || owners.includes(a.owner)) &&
        (!k8s || a.versions.some((v) => v.clusterVersions.includes(k8s))),
    )
    .sort((a, b) => a.addonName.localeCompare(b.addonName));
  const page = pageOf(matches, (a) => a.addonName, req, true);
  const addons = page.items.map((a) => addonInfo(a, k8s));
  return page.nextToken ? { addons, nextToken: page.nextToken } : { addons };
};
