import type { FargateProfile } from "@aws-sdk/client-eks";
import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { apiFlags, clusterFlag, optionalName, requireName } from "../common-flags.ts";
import type { StepContext } from "../create/context.ts";
import { describeFargateProfile, listFargateProfiles } from "../create/fargate.ts";
import { awsOptionsFrom, createAws } from "../eks-client.ts";
import { outputFlag, outputFormat, print } from "../output.ts";

// eksctl prints its own api.FargateProfile (camelCase, podExecutionRoleARN), one table row per selector.
function toEksctl(p: FargateProfile) {
  return {
    name: p.fargateProfileName,
    podExecutionRoleARN: p.podExecutionRoleArn,
    selectors: (p.selectors ?? []).map((s) => ({
      namespace: s.namespace,
      ...(s.labels ? { labels: s.labels } : {}),
    })),
    subnets: p.subnets ?? [],
    tags: p.tags ?? {},
    status: p.status,
  };
}

const kv = (m: Record<string, string> | undefined) =>
  m && Object.keys(m).length
    ? Object.entries(m)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${v}`)
        .join(",")
    : "<none>";

export const command: Command = {
  verb: "get",
  noun: "fargateprofile",
  summary: "Get Fargate profile(s)",
  args: "[NAME]",
  flags: [
    clusterFlag,
    { name: "name", type: "string", usage: "Fargate profile name" },
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
    const names = name ? [name] : await listFargateProfiles(ctx);
    const profiles = (await Promise.all(names.map((x) => describeFargateProfile(ctx, x)))).filter(
      (p): p is FargateProfile => p !== undefined,
    );
    if (name && profiles.length === 0) {
      throw new CliError(`ResourceNotFoundException: No Fargate Profile found with name: ${name}.`);
    }
    if (profiles.length === 0 && format === "table") {
      log.info(`No Fargate profile found for cluster "${cluster}"`);
      return;
    }
    const rows: string[][] = [];
    for (const p of profiles) {
      for (const s of p.selectors ?? [{}]) {
        rows.push([
          p.fargateProfileName ?? "",
          s.namespace ?? "",
          kv(s.labels),
          p.podExecutionRoleArn ?? "",
          p.subnets?.length ? p.subnets.join(",") : "<none>",
          kv(p.tags),
        ]);
      }
    }
    print(
      process.stdout,
      format,
      profiles.map(toEksctl),
      ["NAME", "SELECTOR_NAMESPACE", "SELECTOR_LABELS", "POD_EXECUTION_ROLE_ARN", "SUBNETS", "TAGS"],
      rows,
    );
  },
};
