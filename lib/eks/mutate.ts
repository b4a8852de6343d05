import { eksErrors } from "./errors.ts";
import { regionOfArn } from "./ids.ts";
import type { ClusterDoc, EksContext } from "./repo.ts";

// Read-modify-write of a cluster document under the repo's compare-and-swap. `change` edits the document it
// is given (a fresh copy each attempt) and may throw an EksError to refuse; a lost race simply re-runs it
// against the newer document, so checks such as "an update is in progress" see what the winner wrote.
// Losers wait a random, growing pause before the next read: a `create cluster -f` sends its node groups and
// add-ons at once and the loops write the same document, and retrying in lockstep let one writer lose every
// race. Running out is a ThrottlingException, which clients retry, never ResourceInUse ("it exists").

const ATTEMPTS = 20;
const BACKOFF_MS = 10;
const MAX_BACKOFF_MS = 200;

export async function mutateCluster<T>(
  ctx: EksContext,
  name: string,
  change: (doc: ClusterDoc) => T | Promise<T>,
): Promise<{ doc: ClusterDoc; result: T }> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const hit = await regional(ctx, await ctx.repo.get(name));
    if (!hit) throw eksErrors.clusterNotFound(name);
    const doc = structuredClone(hit.doc);
    const result = await change(doc);
    if (await ctx.repo.replace(doc, hit.version)) return { doc, result };
    const ceiling = Math.min(MAX_BACKOFF_MS, BACKOFF_MS * 2 ** attempt);
    await new Promise((r) => setTimeout(r, Math.random() * ceiling));
  }
  throw eksErrors.throttled(`Cluster ${name} is being modified concurrently; retry the request`, {
    clusterName: name,
  });
}

/**
 * A cluster lives in the region it was created in (its ARN's): a request signed for another region does not
 * see it, as each EKS region is its own endpoint. Names are still unique across the stack's regions.
 */
export function regional<T extends { doc: ClusterDoc }>(ctx: EksContext, hit: T | undefined): T | undefined {
  if (!hit) return undefined;
  const region = regionOfArn(hit.doc.arn);
  return region === undefined || region === ctx.region ? hit : undefined;
}

export async function getCluster(ctx: EksContext, name: string): Promise<ClusterDoc> {
  const hit = regional(ctx, await ctx.repo.get(name));
  if (!hit) throw eksErrors.clusterNotFound(name);
  return hit.doc;
}

/** Keeps the newest `max` updates: the document must stay one bounded item. */
export function capUpdates(doc: ClusterDoc, max = 100): void {
  if (doc.updates.length > max) doc.updates.splice(0, doc.updates.length - max);
}

/** The context for work on `doc` in its own region (loops run with the stack's region). */
export function inRegionOf(ctx: EksContext, doc: Pick<ClusterDoc, "arn">): EksContext {
  const region = regionOfArn(doc.arn);
  return region && region !== ctx.region ? { ...ctx, region } : ctx;
}
