import type { Cluster } from "@aws-sdk/client-eks";
import type { ClusterRequests } from "../../lib/eksctl/index.ts";
import type { Flags } from "../command.ts";
import { CliError } from "../command.ts";
import { Kube } from "../kube.ts";
import { formatElapsed } from "../logger.ts";
import { saveKubeconfig } from "../write-kubeconfig.ts";
import { createAccessEntries, createPodIdentityAssociations } from "./access.ts";
import { createAddons } from "./addons.ts";
import type { StepContext } from "./context.ts";
import { ensureControlPlane } from "./control-plane.ts";
import { createFargateProfile } from "./fargate.ts";
import { createIdentityMappings } from "./identity-mappings.ts";
import { createNodegroups } from "./nodegroups.ts";
import { createServiceAccounts } from "./service-accounts.ts";

// `create cluster` after the config is loaded: eksctl's steps in eksctl's order, each resumable. A retry of a
// half-created cluster finds what exists and skips it; `delete cluster` removes whatever exists.

function describeKinds(r: ClusterRequests): string {
  const kinds: string[] = [];
  if (r.fargateProfiles.length) kinds.push("Fargate profile");
  if (r.nodegroups.length) kinds.push("managed nodes");
  return kinds.length ? ` with ${kinds.join(" and ")}` : "";
}

export interface CreateOptions {
  flags: Flags;
  withFile: boolean;
  writeKubeconfig: boolean;
}

export async function runCreate(ctx: StepContext, r: ClusterRequests, o: CreateOptions): Promise<Cluster> {
  const { log, aws, cluster } = ctx;
  const version = r.createCluster.version ?? "";
  log.info("kumulus version 0.1.0");
  log.info(`using region ${aws.region}`);
  for (const ng of r.nodegroups) {
    log.info(
      `nodegroup "${ng.nodegroupName}" will use "" [${ng.amiType ?? "AL2023_x86_64_STANDARD"}/${version}]`,
    );
  }
  log.info(`using Kubernetes version ${version}`);
  log.info(`creating EKS cluster "${cluster}" in "${aws.region}" region${describeKinds(r)}`);
  if (o.withFile && r.nodegroups.length) {
    const names = r.nodegroups.map((n) => n.nodegroupName).join(",");
    log.info(
      `${r.nodegroups.length} nodegroup(s) (${names}) was included (based on the include/exclude rules)`,
    );
  }
  const t0 = performance.now();
  try {
    const c = await log.step("control plane", () => ensureControlPlane(ctx, r.createCluster));
    let kubeconfigFile: string | undefined;
    if (o.writeKubeconfig) kubeconfigFile = await saveKubeconfig(aws, o.flags, c, log);
    const kube = new Kube(aws, cluster, c.endpoint!);
    // eksctl creates the networking add-ons before the node groups and the rest after; nothing in a
    // simulated cluster orders them, so all add-ons go alongside the node groups and Fargate profiles, and
    // are waited for once those are done. A failure of either still fails the create.
    const addons = r.addons.length
      ? log.step("addons", () => createAddons(ctx, r.addons))
      : Promise.resolve();
    addons.catch(() => {});
    if (r.nodegroups.length) {
      const created = await log.step("managed nodegroups", () =>
        createNodegroups(ctx, c, r.nodegroups, kube),
      );
      log.success(`all EKS cluster resources for "${cluster}" have been created`);
      log.success(`created ${created} managed nodegroup(s) in cluster "${cluster}"`);
    } else {
      log.success(`all EKS cluster resources for "${cluster}" have been created`);
    }
    if (r.fargateProfiles.length) {
      await log.step("Fargate profiles", async () => {
        for (const p of r.fargateProfiles) await createFargateProfile(ctx, c, p);
      });
    }
    await addons;
    if (r.accessEntries.length)
      await log.step("access entries", () => createAccessEntries(ctx, r.accessEntries));
    if (r.iamIdentityMappings.length) {
      await log.step("identity mappings", () => createIdentityMappings(ctx, kube, r.iamIdentityMappings));
    }
    if (r.iamServiceAccounts.length) {
      await log.step("IAM service accounts", () => createServiceAccounts(ctx, kube, r.iamServiceAccounts));
    }
    if (r.podIdentityAssociations.length) {
      await log.step("pod identity associations", () =>
        createPodIdentityAssociations(ctx, r.podIdentityAssociations),
      );
    }
    if (kubeconfigFile)
      log.info(`kubectl command should work with ${JSON.stringify(kubeconfigFile)}, try 'kubectl get nodes'`);
    log.success(`EKS cluster "${cluster}" in "${aws.region}" region is ready`);
    log.info(`cluster creation took ${formatElapsed(performance.now() - t0)}`);
    return c;
  } catch (e) {
    log.warning(
      "1 error(s) occurred and cluster hasn't been created properly, you may wish to check CloudFormation console",
    );
    log.info(`to cleanup resources, run 'kumulus delete cluster --region=${aws.region} --name=${cluster}'`);
    log.info("or run the same create command again: it resumes from what exists");
    log.critical(e instanceof Error ? e.message : String(e));
    throw new CliError(`failed to create cluster "${cluster}"`);
  }
}
