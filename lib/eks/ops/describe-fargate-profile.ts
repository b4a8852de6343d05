import { profileOf, profileOut } from "../fargate.ts";
import { getCluster } from "../mutate.ts";
import { nowMs, type Op } from "../op.ts";

// DescribeFargateProfile (GET /clusters/{name}/fargate-profiles/{fargateProfileName}).

export const describeFargateProfile: Op = async (ctx, req) => {
  const doc = await getCluster(ctx, req.params.name);
  const p = profileOf(doc, req.params.fargateProfileName);
  return { fargateProfile: profileOut(doc.name, p, nowMs(ctx)) };
};
