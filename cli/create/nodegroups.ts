import {
  type Cluster,
  CreateNodegroupCommand,
  type CreateNodegroupCommandInput,
  DescribeNodegroupCommand,
  ListNodegroupsCommand,
  type Nodegroup,
} from "@aws-sdk/client-eks";
import { CliError } from "../command.ts";
import { awsErrorText, isInUse, isNotFound } from "../eks-client.ts";
import { formatDuration } from "../flags.ts";
import { type Kube, KubeAccessError } from "../kube.ts";
import { waitUntil } from "../logger.ts";
import type { StepContext } from "./context.ts";

// Managed node groups: created in parallel (eksctl's --nodegroup-parallelism), skipping the ones an earlier
// attempt made, then waited for until ACTIVE and their nodes Ready in the cluster's own API.

export async function listNodegroups(ctx: StepContext): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const out = await ctx.aws.eks.send(new ListNodegroupsCommand({ clusterName: ctx.cluster, nextToken }));
    names.push(...(out.nodegroups ?? []));
    nextToken = out.nextToken;
  } while (nextToken);
  return names;
}

export async function describeNodegroup(ctx: StepContext, name: string): Promise<Nodegroup | undefined> {
  try {
    return (
      await ctx.aws.eks.send(new DescribeNodegroupCommand({ clusterName: ctx.cluster, nodegroupName: name }))
    ).nodegroup;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** A CreateNodegroup request whose subnets and node role may be left to completeNodegroupInput. */
export type NodegroupRequest = Omit<CreateNodegroupCommandInput, "subnets" | "nodeRole"> &
  Partial<Pick<CreateNodegroupCommandInput, "subnets" | "nodeRole">>;

/** Fills what a ClusterConfig leaves to the cluster: its subnets, and eksctl's node role naming. */
export function completeNodegroupInput(
  input: NodegroupRequest,
  cluster: Cluster,
): CreateNodegroupCommandInput {
  const account = cluster.arn?.split(":")[4] ?? "000000000000";
  return {
    ...input,
    clusterName: cluster.name,
    subnets: input.subnets?.length ? input.subnets : (cluster.resourcesVpcConfig?.subnetIds ?? []),
    nodeRole:
      input.nodeRole ??
      `arn:aws:iam::${account}:role/eksctl-${cluster.name}-nodegroup-${input.nodegroupName}-NodeInstanceRole`,
  };
}

async function createOne(
  ctx: StepContext,
  input: CreateNodegroupCommandInput,
): Promise<"created" | "existing"> {
  try {
    await ctx.aws.eks.send(new CreateNodegroupCommand(input));
    ctx.log.info(`creating managed nodegroup "${input.nodegroupName}"`);
    return "created";
  } catch (e) {
    // In use means made by an earlier attempt, or another create racing this one: only if it is there.
    if (isInUse(e) && (await describeNodegroup(ctx, input.nodegroupName!))) return "existing";
    throw new CliError(`creating managed nodegroup "${input.nodegroupName}": ${awsErrorText(e)}`);
  }
}

export async function waitNodegroupActive(ctx: StepContext, name: string): Promise<Nodegroup> {
  return waitUntil(
    ctx.log,
    async () => {
      const ng = await describeNodegroup(ctx, name);
      if (!ng) throw new CliError(`nodegroup "${name}" disappeared while waiting for it to become active`);
      if (ng.status === "CREATE_FAILED" || ng.status === "DEGRADED") {
        const issues = (ng.health?.issues ?? []).map((i) => `${i.code}: ${i.message}`).join("; ");
        throw new CliError(`nodegroup "${name}" is ${ng.status}${issues ? `: ${issues}` : ""}`);
      }
      return ng.status === "ACTIVE" ? ng : undefined;
    },
    {
      deadline: ctx.deadline,
      progress: `waiting for managed nodegroup "${name}" to become active`,
      timeoutMessage: `timed out waiting for nodegroup "${name}" to become active after ${formatDuration(ctx.deadline - Date.now())}`,
    },
  );
}

interface NodeList {
  items?: { metadata?: { name?: string }; status?: { conditions?: { type?: string; status?: string }[] } }[];
}

const isReady = (n: NonNullable<NodeList["items"]>[number]) =>
  n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;

/** eksctl's "waiting for at least N node(s) to become ready" through the cluster's Kubernetes API. */
export async function waitNodesReady(
  ctx: StepContext,
  kube: Kube,
  name: string,
  count: number,
): Promise<void> {
  if (count <= 0) return;
  ctx.log.info(`waiting for at least ${count} node(s) to become ready in "${name}"`);
  const selector = encodeURIComponent(`eks.amazonaws.com/nodegroup=${name}`);
  let ready: NonNullable<NodeList["items"]>;
  try {
    ready = await waitUntil(
      ctx.log,
      async () => {
        const list = await kube.get<NodeList>(`/api/v1/nodes?labelSelector=${selector}`);
        const items = list.items ?? [];
        return items.filter(isReady).length >= count ? items : undefined;
      },
      {
        deadline: ctx.deadline,
        timeoutMessage: `timed out waiting for at least ${count} nodes to join the cluster and become ready in "${name}": context deadline exceeded`,
      },
    );
  } catch (e) {
    // A creator without access (bootstrapClusterCreatorAdminPermissions: false, or an access entry yet to come)
    // cannot watch its nodes: the node group being ACTIVE is then all there is to go on.
    if (!(e instanceof KubeAccessError)) throw e;
    ctx.log.warning(
      `cannot check that the nodes of "${name}" are ready: ${e.message}; nodegroup "${name}" is ACTIVE`,
    );
    return;
  }
  ctx.log.info(`nodegroup "${name}" has ${ready.length} node(s)`);
  for (const n of ready.filter(isReady)) ctx.log.info(`node "${n.metadata?.name}" is ready`);
}

/**
 * Creates the node groups that do not exist yet, all at once, and waits for each to be ACTIVE with its
 * desired nodes Ready. Returns how many were created (existing ones are reported and waited for too).
 */
export async function createNodegroups(
  ctx: StepContext,
  cluster: Cluster,
  inputs: NodegroupRequest[],
  kube?: Kube,
): Promise<number> {
  if (inputs.length === 0) return 0;
  const existing = new Set(await listNodegroups(ctx));
  const skipped = inputs.filter((i) => existing.has(i.nodegroupName!)).map((i) => i.nodegroupName!);
  if (skipped.length) {
    ctx.log.info(`${skipped.length} existing nodegroup(s) (${skipped.join(",")}) will be excluded`);
  }
  const todo = inputs
    .filter((i) => !existing.has(i.nodegroupName!))
    .map((i) => completeNodegroupInput(i, cluster));
  const results = await Promise.all(todo.map((i) => createOne(ctx, i)));
  await Promise.all(
    inputs.map(async (i) => {
      const ng = await waitNodegroupActive(ctx, i.nodegroupName!);
      if (kube) await waitNodesReady(ctx, kube, i.nodegroupName!, ng.scalingConfig?.desiredSize ?? 0);
    }),
  );
  return results.filter((r) => r === "created").length;
}
