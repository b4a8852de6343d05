import {
  DescribePodIdentityAssociationCommand,
  ListPodIdentityAssociationsCommand,
  type PodIdentityAssociationSummary,
} from "@aws-sdk/client-eks";
import type { Command } from "../command.ts";
import { apiFlags, clusterFlag, requireName } from "../common-flags.ts";
import { awsOptionsFrom, createAws } from "../eks-client.ts";
import { outputFlag, outputFormat, print } from "../output.ts";

export const command: Command = {
  verb: "get",
  noun: "podidentityassociation",
  summary: "Get pod identity associations",
  flags: [
    clusterFlag,
    { name: "namespace", type: "string", usage: "Namespace the service account belongs to" },
    { name: "service-account-name", type: "string", usage: "Name of the service account" },
    outputFlag,
    ...apiFlags(),
  ],
  async run({ flags, log }) {
    const format = outputFormat(flags.string("output"));
    if (format !== "table") log.toStderr();
    const cluster = requireName(flags, [], "cluster");
    const aws = createAws(awsOptionsFrom(flags));
    const summaries: PodIdentityAssociationSummary[] = [];
    let nextToken: string | undefined;
    do {
      const out = await aws.eks.send(
        new ListPodIdentityAssociationsCommand({
          clusterName: cluster,
          namespace: flags.string("namespace"),
          serviceAccount: flags.string("service-account-name"),
          nextToken,
        }),
      );
      summaries.push(...(out.associations ?? []));
      nextToken = out.nextToken;
    } while (nextToken);
    const items = await Promise.all(
      summaries.map(async (s) => {
        const a = (
          await aws.eks.send(
            new DescribePodIdentityAssociationCommand({
              clusterName: cluster,
              associationId: s.associationId,
            }),
          )
        ).association;
        return {
          AssociationARN: s.associationArn ?? "",
          Namespace: s.namespace ?? "",
          ServiceAccountName: s.serviceAccount ?? "",
          RoleARN: a?.roleArn ?? "",
          OwnerARN: s.ownerArn ?? "",
        };
      }),
    );
    print(
      process.stdout,
      format,
      items,
      ["ASSOCIATION ARN", "NAMESPACE", "SERVICE ACCOUNT NAME", "IAM ROLE ARN", "OWNER ARN"],
      items.map((i) => [i.AssociationARN, i.Namespace, i.ServiceAccountName, i.RoleARN, i.OwnerARN]),
    );
  },
};
