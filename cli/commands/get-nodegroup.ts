import type { Nodegroup } from "@aws-sdk/client-eks";
import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { apiFlags, clusterFlag, optionalName, requireName } from "../common-flags.ts";
import type { StepContext } from "../create/context.ts";
import { describeNodegroup, listNodegroups } from "../create/nodegroups.ts";
import { awsOptionsFrom, createAws } from "../eks-client.ts";
import { outputFlag, outputFormat, print, rfc3339 } from "../output.ts";

// `get nodegroup`: eksctl's summary of each managed node group (pkg/ctl/get/nodegroup.go).

function summary(cluster: string, ng: Nodegroup) {
  return {
    StackName: "",
    Cluster: cluster,
    Name: ng.nodegroupName ?? "",
    Status: ng.status ?? "",
    MaxSize: ng.scalingConfig?.maxSize ?? 0,
    MinSize: ng.scalingConfig?.minSize ?? 0,
    DesiredCapacity: ng.scalingConfig?.desiredSize ?? 0,
    InstanceType: (ng.instanceTypes ?? []).join(","),
    ImageID: ng.amiType ?? "",
    CreationTime: ng.createdAt,
    NodeInstanceRoleARN: ng.nodeRole ?? "",
    AutoScalingGroupName: (ng.resources?.autoScalingGroups ?? []).map((a) => a.name).join(","),
    Version: ng.version ?? "",
    Type: "managed",
  };
}

export const command: Command = {
  verb: "get",
  noun: "nodegroup",
  summary: "Get nodegroup(s)",
  args: "[NAME]",
  flags: [
    clusterFlag,
    { name: "name", short: "n", type: "string", usage: "Name of the nodegroup" },
    outputFlag,
    ...apiFlags(),
  ],
  async run({ flags, args, log }) {
    const format = outputFormat(flags.string("output"));
    if (format !== "table") log.toStderr();
    const cluster = requireName(flags, [], "cluster");
    const name = optionalName(flags, args);
    const aws = createAws(awsOptionsFrom(flags));
    const ctx: StepContext = { aws, log, cluster, deadline: Date.now() };
    const names = name ? [name] : await listNodegroups(ctx);
    const groups = (await Promise.all(names.map((x) => describeNodegroup(ctx, x)))).filter(
      (g): g is Nodegroup => g !== undefined,
    );
    if (name && groups.length === 0) throw new CliError(`nodegroup with name ${name} not found`);
    if (groups.length === 0) {
      if (format === "table") throw new CliError("No nodegroups found");
      print(process.stdout, format, [], [], []);
      return;
    }
    const rows = groups.map((g) => summary(cluster, g));
    print(
      process.stdout,
      format,
      rows,
      [
        "CLUSTER",
        "NODEGROUP",
        "STATUS",
        "CREATED",
        "MIN SIZE",
        "MAX SIZE",
        "DESIRED CAPACITY",
        "INSTANCE TYPE",
        "IMAGE ID",
        "ASG NAME",
        "TYPE",
      ],
      rows.map((r) => [
        r.Cluster,
        r.Name,
        r.Status,
        rfc3339(r.CreationTime),
        String(r.MinSize),
        String(r.MaxSize),
        String(r.DesiredCapacity),
        r.InstanceType || "-",
        r.ImageID || "-",
        r.AutoScalingGroupName || "-",
        r.Type,
      ]),
    );
  },
};
