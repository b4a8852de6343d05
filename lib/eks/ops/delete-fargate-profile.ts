import { clientFor } from "../../client/runtime.ts";
import { log } from "../../log.ts";
import { EksError } from "../errors.ts";
import { FARGATE_PROFILE_LABEL, FargateError, profileOf, profileOut, profileStatus } from "../fargate.ts";
import { mutateCluster } from "../mutate.ts";
import { nowMs, type Op } from "../op.ts";

// DeleteFargateProfile (DELETE /clusters/{name}/fargate-profiles/{fargateProfileName}). The profile turns
// DELETING, the pods that run under it are deleted (their Fargate nodes then go with them, through the
// Fargate scheduler; their controllers recreate them, and the new pods match whatever profile is left or
// run on EC2), and the record goes: DescribeFargateProfile answers 404 afterwards, which is what
// `aws eks wait fargate-profile-deleted` waits for. As in EKS, one profile change at a time per cluster.

export const deleteFargateProfile: Op = async (ctx, req) => {
  const cluster = req.params.name;
  const name = req.params.fargateProfileName;
  const members = { clusterName: cluster };
  const marked = await mutateCluster(ctx, cluster, (doc) => {
    const now = nowMs(ctx);
    const p = profileOf(doc, name);
    const busy = Object.values(doc.fargateProfiles ?? {}).find((x) =>
      ["CREATING", "DELETING"].includes(profileStatus(x, now)),
    );
    if (busy)
      throw new FargateError(
        "ResourceInUseException",
        `Cannot Delete Fargate Profile ${name} because cluster ${cluster} currently has Fargate profile ${busy.fargateProfileName} in status ${profileStatus(busy, now)}`,
        members,
        name,
      );
    p.status = "DELETING";
    return p;
  });
  const p = marked.result;
  try {
    await deleteProfilePods(cluster, name);
  } catch (e) {
    // The pods' nodes still go when the pods do; a failure here must not leave the profile stuck.
    log("error", "fargate profile pods not deleted", { cluster, profile: name, error: String(e) });
  }
  try {
    await mutateCluster(ctx, cluster, (doc) => {
      if (doc.fargateProfiles?.[name]?.arn === p.arn) delete doc.fargateProfiles[name];
    });
  } catch (e) {
    if (!(e instanceof EksError && e.code === "ResourceNotFoundException")) throw e;
  }
  return { fargateProfile: profileOut(cluster, p, nowMs(ctx)) };
};

async function deleteProfilePods(cluster: string, profile: string): Promise<void> {
  const api = clientFor(cluster, "eks");
  const selector = encodeURIComponent(`${FARGATE_PROFILE_LABEL}=${profile}`);
  const pods = await api.list(`/api/v1/pods?labelSelector=${selector}`);
  for (const pod of pods.items)
    await api.delete(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`);
}
