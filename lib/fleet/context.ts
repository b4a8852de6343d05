import { DynamoEksRepo } from "../eks/dynamo-repo.ts";
import { inRegionOf } from "../eks/mutate.ts";
import type { EksContext, EksEffects } from "../eks/repo.ts";
import { defaultStore } from "../runtime/store.ts";

// The EKS context of a loop function: the same cluster records and capacity the EKS API uses, read from the
// function's environment. Loops never bootstrap or tear down a cluster's Kubernetes side, so those effects
// refuse.

const refuse = async (): Promise<never> => {
  throw new Error("cluster lifecycle effects run only in the EKS API");
};

const loopEffects: EksEffects = new Proxy({} as EksEffects, { get: () => refuse });

let cached: EksContext | undefined;

export function fleetContext(): EksContext {
  if (cached) return cached;
  const env = process.env;
  cached = {
    repo: new DynamoEksRepo(defaultStore()),
    effects: loopEffects,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
    account: env.KUMULUS_ACCOUNT_ID ?? "000000000000",
    endpointBase: env.KUMULUS_ENDPOINT ?? "",
    caData: env.KUMULUS_CA_DATA ?? "",
  };
  return cached;
}

/** The loop context in the region of `cluster` (its ARN's), for work that goes through the EKS API's checks. */
export async function fleetContextFor(cluster: string): Promise<EksContext> {
  const ctx = fleetContext();
  const hit = await ctx.repo.get(cluster);
  return hit ? inRegionOf(ctx, hit.doc) : ctx;
}
