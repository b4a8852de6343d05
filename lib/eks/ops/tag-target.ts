import { EksError, eksErrors } from "../errors.ts";
import { mutateCluster } from "../mutate.ts";
import type { ClusterDoc, EksContext } from "../repo.ts";

// The resource a tag operation names by ARN: a cluster, or one of its add-ons, access entries or Pod
// Identity associations, all kept in the cluster's document. Tag operations have only BadRequestException
// and NotFoundException, so other failures are mapped onto those two.

const ARN = /^arn:(aws|aws-cn|aws-us-gov):eks:([a-z0-9-]+):(\d{12}):([a-z-]+)\/(.+)$/;

type Target =
  | { kind: "cluster"; cluster: string }
  | { kind: "addon"; cluster: string; addon: string }
  | { kind: "access-entry"; cluster: string }
  | { kind: "podidentityassociation"; cluster: string; id: string };

function parse(ctx: EksContext, arn: string): Target {
  const m = ARN.exec(arn);
  if (!m) throw eksErrors.badRequest(`Invalid ARN: ${arn}`);
  const [, , region, account, type, rest] = m;
  const parts = rest.split("/");
  if (region !== ctx.region || account !== ctx.account) throw notFound(arn);
  if (type === "cluster" && parts.length === 1) return { kind: "cluster", cluster: parts[0] };
  if (type === "addon" && parts.length === 3) return { kind: "addon", cluster: parts[0], addon: parts[1] };
  // access-entry/<cluster>/<user|role|root>/<account>/<name>/<uuid>
  if (type === "access-entry" && parts.length === 5) return { kind: "access-entry", cluster: parts[0] };
  if (type === "podidentityassociation" && parts.length === 2)
    return { kind: "podidentityassociation", cluster: parts[0], id: parts[1] };
  throw notFound(arn);
}

function notFound(arn: string): EksError {
  return eksErrors.notFound(`Resource ${arn} not found.`);
}

function tagsOf(doc: ClusterDoc, target: Target, arn: string): Record<string, string> {
  const found = (() => {
    switch (target.kind) {
      case "cluster":
        return doc;
      case "addon":
        return doc.addons[target.addon];
      case "access-entry":
        // The ARN ends in a uuid, so an entry deleted and created again is a new resource.
        return Object.values(doc.accessEntries ?? {}).find((e) => e.arn === arn);
      case "podidentityassociation":
        return doc.podIdentityAssociations?.[target.id];
    }
  })();
  if (!found || found.arn !== arn) throw notFound(arn);
  return found.tags;
}

/** Reads the tags of the resource at `arn`. */
export async function readTags(ctx: EksContext, arn: string): Promise<Record<string, string>> {
  const target = parse(ctx, arn);
  const hit = await ctx.repo.get(target.cluster);
  if (!hit) throw notFound(arn);
  return { ...tagsOf(hit.doc, target, arn) };
}

/** Changes the tags of the resource at `arn` in place (under the cluster document's compare-and-swap). */
export async function changeTags(
  ctx: EksContext,
  arn: string,
  change: (tags: Record<string, string>) => void,
): Promise<void> {
  const target = parse(ctx, arn);
  try {
    await mutateCluster(ctx, target.cluster, (doc) => change(tagsOf(doc, target, arn)));
  } catch (e) {
    if (e instanceof EksError && e.code === "ResourceNotFoundException") throw notFound(arn);
    throw e;
  }
}
