import type { Cluster } from "@aws-sdk/client-eks";
import { DescribeClusterCommand } from "@aws-sdk/client-eks";
import { CliError } from "./command.ts";
import { type Aws, awsErrorText } from "./eks-client.ts";
import { Kube } from "./kube.ts";

// Looking a cluster up, with eksctl's wording when it is missing, and reaching its Kubernetes API.

export async function describeCluster(aws: Aws, name: string): Promise<Cluster> {
  try {
    const out = await aws.eks.send(new DescribeClusterCommand({ name }));
    return out.cluster!;
  } catch (e) {
    throw new CliError(`unable to describe cluster control plane: ${awsErrorText(e)}`);
  }
}

/** The cluster's Kubernetes API; it must be ACTIVE and have an endpoint. */
export async function kubeFor(aws: Aws, name: string, cluster?: Cluster): Promise<Kube> {
  const c = cluster ?? (await describeCluster(aws, name));
  if (!c.endpoint)
    throw new CliError(`cluster "${name}" has no Kubernetes API endpoint yet (status ${c.status})`);
  return new Kube(aws, name, c.endpoint);
}
