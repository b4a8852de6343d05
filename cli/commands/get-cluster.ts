import { ListClustersCommand } from "@aws-sdk/client-eks";
import { describeCluster } from "../cluster.ts";
import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { apiFlags, optionalName } from "../common-flags.ts";
import { awsOptionsFrom, createAws } from "../eks-client.ts";
import { outputFlag, outputFormat, pascalize, print, rfc3339 } from "../output.ts";

const sorted = (xs: string[] | undefined) => (xs?.length ? [...xs].sort().join(",") : "-");

export const command: Command = {
  verb: "get",
  noun: "cluster",
  summary: "Get cluster(s)",
  args: "[NAME]",
  flags: [
    { name: "name", short: "n", type: "string", usage: "EKS cluster name" },
    { name: "all-regions", short: "A", type: "bool", usage: "List clusters across all supported regions" },
    {
      name: "chunk-size",
      type: "int",
      default: 100,
      usage: "return large lists in chunks rather than all at once, pass 0 to disable",
    },
    outputFlag,
    ...apiFlags(),
  ],
  async run({ flags, args, log }) {
    const format = outputFormat(flags.string("output"));
    if (format !== "table") log.toStderr();
    const name = optionalName(flags, args);
    if (name && flags.bool("all-regions")) {
      throw new CliError(
        "--all-regions is for listing all clusters, it must be used without cluster name flag/argument",
      );
    }
    const aws = createAws(awsOptionsFrom(flags));
    if (name) {
      const c = await describeCluster(aws, name).catch((e: Error) => {
        throw new CliError(
          e.message.replace(
            "unable to describe cluster control plane",
            `unable to describe control plane ${JSON.stringify(name)}`,
          ),
        );
      });
      const vpc = c.resourcesVpcConfig;
      print(
        process.stdout,
        format,
        [pascalize(c)],
        ["NAME", "VERSION", "STATUS", "CREATED", "VPC", "SUBNETS", "SECURITYGROUPS", "PROVIDER"],
        [
          [
            c.name ?? "-",
            c.version ?? "-",
            c.status ?? "-",
            rfc3339(c.createdAt),
            vpc?.vpcId || "-",
            sorted(vpc?.subnetIds),
            sorted(vpc?.securityGroupIds),
            c.connectorConfig ? (c.connectorConfig.provider ?? "-") : "EKS",
          ],
        ],
      );
      return;
    }
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const out = await aws.eks.send(
        new ListClustersCommand({ nextToken, maxResults: flags.int("chunk-size") || undefined }),
      );
      names.push(...(out.clusters ?? []));
      nextToken = out.nextToken;
    } while (nextToken);
    if (names.length === 0 && format === "table") {
      log.info("No clusters found");
      return;
    }
    // Kumulus creates every cluster it lists through the same API eksctl would, so "EKSCTL CREATED" is
    // whether its tags say eksctl (or kumulus) made it; plain CreateCluster calls are False.
    const rows = await Promise.all(
      names.map(async (n) => {
        const c = await describeCluster(aws, n).catch(() => undefined);
        const tags = c?.tags ?? {};
        const owned = c === undefined ? "Unknown" : "alpha.eksctl.io/cluster-name" in tags ? "True" : "False";
        return { Name: n, Region: aws.region, Owned: owned };
      }),
    );
    print(
      process.stdout,
      format,
      rows,
      ["NAME", "REGION", "EKSCTL CREATED"],
      rows.map((r) => [r.Name, r.Region, r.Owned]),
    );
  },
};
