import type { Addon } from "@aws-sdk/client-eks";
import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { apiFlags, clusterFlag, requireName } from "../common-flags.ts";
import { describeAddon, listAddons } from "../create/addons.ts";
import type { StepContext } from "../create/context.ts";
import { awsOptionsFrom, createAws } from "../eks-client.ts";
import { outputFlag, outputFormat, print } from "../output.ts";

function summary(a: Addon) {
  return {
    Name: a.addonName ?? "",
    Version: a.addonVersion ?? "",
    NewerVersion: "",
    IAMRole: a.serviceAccountRoleArn ?? "",
    Status: a.status ?? "",
    ConfigurationValues: a.configurationValues ?? "",
    Namespace: a.namespaceConfig?.namespace ?? "",
    Issues: (a.health?.issues ?? []).map((i) => ({
      Code: i.code,
      Message: i.message,
      ResourceIDs: i.resourceIds,
    })),
    PodIdentityAssociations: a.podIdentityAssociations ?? [],
  };
}

export const command: Command = {
  verb: "get",
  noun: "addon",
  summary: "Get an Addon",
  flags: [clusterFlag, { name: "name", type: "string", usage: "Addon name" }, outputFlag, ...apiFlags()],
  async run({ flags, args, log }) {
    const format = outputFormat(flags.string("output"));
    if (format !== "table") log.toStderr();
    const cluster = requireName(flags, [], "cluster");
    const name = flags.string("name") ?? args[0];
    const aws = createAws(awsOptionsFrom(flags));
    const ctx: StepContext = { aws, log, cluster, deadline: Date.now() };
    const names = name ? [name] : await listAddons(ctx);
    const addons = (await Promise.all(names.map((n) => describeAddon(ctx, n)))).filter(
      (a): a is Addon => !!a,
    );
    if (name && addons.length === 0) {
      throw new CliError(`ResourceNotFoundException: No addon: ${name} found in cluster: ${cluster}`);
    }
    if (addons.length === 0 && format === "table") {
      log.info(`no addons found`);
      return;
    }
    const rows = addons.map(summary);
    print(
      process.stdout,
      format,
      rows,
      [
        "NAME",
        "VERSION",
        "STATUS",
        "ISSUES",
        "IAMROLE",
        "UPDATE AVAILABLE",
        "CONFIGURATION VALUES",
        "NAMESPACE",
        "POD IDENTITY ASSOCIATION ROLES",
      ],
      rows.map((r) => [
        r.Name,
        r.Version,
        r.Status,
        String(r.Issues.length),
        r.IAMRole,
        r.NewerVersion,
        r.ConfigurationValues,
        r.Namespace,
        r.PodIdentityAssociations.join(","),
      ]),
    );
  },
};
