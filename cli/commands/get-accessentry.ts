import {
  DescribeAccessEntryCommand,
  ListAccessEntriesCommand,
  ListAssociatedAccessPoliciesCommand,
} from "@aws-sdk/client-eks";
import type { Command } from "../command.ts";
import { apiFlags, clusterFlag, requireName } from "../common-flags.ts";
import { awsOptionsFrom, createAws } from "../eks-client.ts";
import { outputFlag, outputFormat, print } from "../output.ts";

export const command: Command = {
  verb: "get",
  noun: "accessentry",
  summary: "Get access entries",
  flags: [
    clusterFlag,
    { name: "principal-arn", type: "string", usage: "principal ARN to which the access entry is associated" },
    outputFlag,
    ...apiFlags(),
  ],
  async run({ flags, log }) {
    const format = outputFormat(flags.string("output"));
    if (format !== "table") log.toStderr();
    const cluster = requireName(flags, [], "cluster");
    const aws = createAws(awsOptionsFrom(flags));
    const only = flags.string("principal-arn");
    const arns: string[] = [];
    if (only) arns.push(only);
    else {
      let nextToken: string | undefined;
      do {
        const out = await aws.eks.send(new ListAccessEntriesCommand({ clusterName: cluster, nextToken }));
        arns.push(...(out.accessEntries ?? []));
        nextToken = out.nextToken;
      } while (nextToken);
    }
    const entries = await Promise.all(
      arns.map(async (principalArn) => {
        const e = (await aws.eks.send(new DescribeAccessEntryCommand({ clusterName: cluster, principalArn })))
          .accessEntry;
        const p = await aws.eks.send(
          new ListAssociatedAccessPoliciesCommand({ clusterName: cluster, principalArn }),
        );
        return {
          principalARN: principalArn,
          type: e?.type,
          kubernetesGroups: e?.kubernetesGroups ?? [],
          kubernetesUsername: e?.username,
          accessPolicies: (p.associatedAccessPolicies ?? []).map((a) => ({
            policyARN: a.policyArn,
            accessScope: {
              type: a.accessScope?.type,
              ...(a.accessScope?.namespaces?.length ? { namespaces: a.accessScope.namespaces } : {}),
            },
          })),
        };
      }),
    );
    print(
      process.stdout,
      format,
      entries,
      ["PRINCIPAL ARN", "KUBERNETES GROUPS", "ACCESS POLICIES"],
      entries.map((e) => [
        e.principalARN,
        String(e.kubernetesGroups.length),
        String(e.accessPolicies.length),
      ]),
    );
  },
};
