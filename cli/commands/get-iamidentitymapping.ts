import { readAuthMap } from "../aws-auth.ts";
import { kubeFor } from "../cluster.ts";
import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { apiFlags, clusterFlag, requireName } from "../common-flags.ts";
import { awsOptionsFrom, createAws } from "../eks-client.ts";
import { outputFlag, outputFormat, print } from "../output.ts";

export const command: Command = {
  verb: "get",
  noun: "iamidentitymapping",
  summary: "Get IAM identity mapping(s)",
  flags: [
    clusterFlag,
    { name: "name", type: "string", usage: "EKS cluster name", hidden: true },
    { name: "arn", type: "string", usage: "ARN of the IAM role or user to get" },
    { name: "role", type: "string", usage: "ARN of the IAM role or user to get", hidden: true },
    outputFlag,
    ...apiFlags(),
  ],
  async run({ flags, log }) {
    const format = outputFormat(flags.string("output"));
    if (format !== "table") log.toStderr();
    const cluster = flags.string("cluster") ?? flags.string("name") ?? requireName(flags, [], "cluster");
    const arn = flags.string("arn") ?? flags.string("role");
    const aws = createAws(awsOptionsFrom(flags));
    const m = await readAuthMap(await kubeFor(aws, cluster));
    const roles = m.mapRoles.filter((r) => !arn || r.rolearn === arn);
    const users = m.mapUsers.filter((u) => !arn || u.userarn === arn);
    const accounts = arn ? [] : m.mapAccounts;
    if (arn && roles.length + users.length === 0)
      throw new CliError(`no iamidentitymapping with arn ${JSON.stringify(arn)} found`);
    const data = [...roles, ...users, ...accounts.map((a) => ({ account: a }))];
    const rows = [
      ...roles.map((r) => [r.rolearn, r.username ?? "", (r.groups ?? []).join(","), ""]),
      ...users.map((u) => [u.userarn, u.username ?? "", (u.groups ?? []).join(","), ""]),
      ...accounts.map((a) => ["", "", "", a]),
    ];
    print(process.stdout, format, data, ["ARN", "USERNAME", "GROUPS", "ACCOUNT"], rows);
  },
};
