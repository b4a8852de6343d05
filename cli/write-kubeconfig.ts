import type { Cluster } from "@aws-sdk/client-eks";
import type { Flags } from "./command.ts";
import type { Aws } from "./eks-client.ts";
import type { FlagSpec } from "./flags.ts";
import { autoKubeconfigPath, defaultKubeconfigPath, writeEksctlKubeconfig } from "./kubeconfig.ts";
import type { Logger } from "./logger.ts";
import { callerArn } from "./sts.ts";

// The kubeconfig step shared by `utils write-kubeconfig` and `create cluster`.

export const kubeconfigFlags: FlagSpec[] = [
  {
    name: "kubeconfig",
    type: "string",
    usage:
      'path to write kubeconfig (incompatible with --auto-kubeconfig) (default "$KUBECONFIG or ~/.kube/config")',
  },
  {
    name: "set-kubeconfig-context",
    type: "bool",
    default: true,
    usage:
      "if true then current-context will be set in kubeconfig; if a context is already set then it will be overwritten",
  },
  {
    name: "auto-kubeconfig",
    type: "bool",
    usage: 'save kubeconfig file by cluster name, e.g. "$HOME/.kube/eksctl/clusters/<name>"',
  },
  {
    name: "authenticator-role-arn",
    type: "string",
    usage: "AWS IAM role to assume for authenticator",
    hidden: true,
  },
];

export function kubeconfigPath(flags: Flags, cluster: string): string {
  if (flags.bool("auto-kubeconfig")) return autoKubeconfigPath(cluster);
  return flags.string("kubeconfig") ?? defaultKubeconfigPath();
}

export async function saveKubeconfig(aws: Aws, flags: Flags, c: Cluster, log: Logger): Promise<string> {
  const file = kubeconfigPath(flags, c.name!);
  writeEksctlKubeconfig({
    file,
    cluster: c.name!,
    region: aws.region,
    server: c.endpoint!,
    caData: c.certificateAuthority?.data,
    callerArn: await callerArn(aws),
    profile: aws.profile,
    setContext: flags.bool("set-kubeconfig-context"),
  });
  log.success(`saved kubeconfig as ${JSON.stringify(file)}`);
  return file;
}
