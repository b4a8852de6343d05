import { clusterRequests } from "../../lib/eksctl/index.ts";
import { describeCluster, kubeFor } from "../cluster.ts";
import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { apiFlags, approveFlag, configFileFlag, deadline } from "../common-flags.ts";
import { readClusterFile } from "../config-file.ts";
import { createServiceAccounts, type IamServiceAccount } from "../create/service-accounts.ts";
import { awsOptionsFrom, createAws } from "../eks-client.ts";

// `create iamserviceaccount`: IRSA service accounts. The IAM role is the one given (--attach-role-arn) or the
// name eksctl's stack would give it; the ServiceAccount carries it in eks.amazonaws.com/role-arn.

export const command: Command = {
  verb: "create",
  noun: "iamserviceaccount",
  summary: "Create an iamserviceaccount - AWS IAM role bound to a Kubernetes service account",
  args: "[NAME]",
  flags: [
    { name: "cluster", short: "c", type: "string", usage: "EKS cluster name" },
    { name: "name", type: "string", usage: "name of the iamserviceaccount to create" },
    {
      name: "namespace",
      type: "string",
      default: "default",
      usage: "namespace where to create the iamserviceaccount",
    },
    {
      name: "attach-policy-arn",
      type: "stringSlice",
      usage: "ARN of the policy where to create the iamserviceaccount",
    },
    { name: "attach-role-arn", type: "string", usage: "ARN of the role to attach to the iamserviceaccount" },
    { name: "role-name", type: "string", usage: "Set a custom name for the created role" },
    {
      name: "role-only",
      type: "bool",
      usage: "disable service account creation, only the role will be created",
    },
    {
      name: "override-existing-serviceaccounts",
      type: "bool",
      usage: "create IAM roles for existing serviceaccounts and update the serviceaccount",
    },
    approveFlag,
    configFileFlag,
    ...apiFlags(),
  ],
  async run({ flags, args, log }) {
    const file = flags.string("config-file");
    let opts = awsOptionsFrom(flags);
    let cluster: string;
    let accounts: IamServiceAccount[];
    const aws0 = () => createAws(opts);
    if (file) {
      const read = readClusterFile(file, flags, args, log, [
        "cluster",
        "name",
        "namespace",
        "attach-policy-arn",
        "attach-role-arn",
        "role-name",
        "region",
      ]);
      const cfg = read.cfg;
      cluster = read.cluster;
      opts = read.opts;
      accounts = clusterRequests(cfg).iamServiceAccounts;
    } else {
      cluster = flags.string("cluster") ?? "";
      if (!cluster) throw new CliError("--cluster must be set");
      const name = flags.string("name") ?? args[0];
      if (!name) throw new CliError("--name must be set");
      const ns = flags.string("namespace") ?? "default";
      if (!flags.string("attach-role-arn") && flags.list("attach-policy-arn").length === 0) {
        throw new CliError(
          "iam.serviceAccounts[0].wellKnownPolicies, iam.serviceAccounts[0].attachPolicyARNs,iam.serviceAccounts[0].attachRoleARN  or iam.serviceAccounts[0].attachPolicy must be set",
        );
      }
      const c = await describeCluster(aws0(), cluster);
      const account = c.arn?.split(":")[4] ?? "000000000000";
      const roleName = flags.string("role-name") ?? `eksctl-${cluster}-addon-iamserviceaccount-${ns}-${name}`;
      accounts = [
        {
          namespace: ns,
          name,
          roleArn: flags.string("attach-role-arn") ?? `arn:aws:iam::${account}:role/${roleName}`,
        },
      ];
    }
    const list = accounts.map((a) => `${a.namespace}/${a.name}`).join(", ");
    log.info(
      `${accounts.length} iamserviceaccount (${list}) was included (based on the include/exclude rules)`,
    );
    if (!flags.bool("override-existing-serviceaccounts")) {
      log.warning(
        "serviceaccounts that exist in Kubernetes will be excluded, use --override-existing-serviceaccounts to override",
      );
    }
    if (!flags.bool("approve")) {
      for (const a of accounts)
        log.info(`(plan) would create serviceaccount "${a.namespace}/${a.name}" with role "${a.roleArn}"`);
      log.warning("no changes were applied, run again with '--approve' to apply the changes");
      return;
    }
    if (flags.bool("role-only")) {
      for (const a of accounts)
        log.info(
          `role "${a.roleArn}" is the role of "${a.namespace}/${a.name}"; no serviceaccount created (--role-only)`,
        );
      return;
    }
    const aws = aws0();
    const kube = await kubeFor(aws, cluster);
    await createServiceAccounts(
      { aws, log, cluster, deadline: deadline(flags) },
      kube,
      accounts,
      flags.bool("override-existing-serviceaccounts"),
    );
  },
};
