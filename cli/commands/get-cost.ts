import { z } from "zod";
import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { apiFlags, clusterFlag, requireName } from "../common-flags.ts";
import { awsOptionsFrom, createAws } from "../eks-client.ts";
import { outputFlag, outputFormat, print } from "../output.ts";

// `get cost`: Kumulus' EKS API extension GET /clusters/{name}/cost (SigV4-signed like every EKS call): what
// the cluster's capacity costs per hour and has cost since it started, by instance type and capacity type.

const CostLine = z.object({
  kind: z.enum(["ec2", "fargate"]),
  instanceType: z.string(),
  capacityType: z.string(),
  count: z.number(),
  hourlyCost: z.number(),
  costSoFar: z.number(),
});
const Cost = z.object({
  clusterName: z.string(),
  currency: z.string(),
  hourlyCost: z.number(),
  costSoFar: z.number(),
  since: z.number(),
  lines: z.array(CostLine),
});

const money = (n: number) => `$${n.toFixed(n !== 0 && Math.abs(n) < 0.01 ? 4 : 2)}`;

export const command: Command = {
  verb: "get",
  noun: "cost",
  summary: "Get what a cluster's capacity costs (Kumulus extension)",
  args: "[NAME]",
  flags: [clusterFlag, outputFlag, ...apiFlags()],
  async run({ flags, args, log }) {
    const format = outputFormat(flags.string("output"));
    if (format !== "table") log.toStderr();
    const cluster = requireName(flags, args, "cluster");
    const aws = createAws(awsOptionsFrom(flags));
    const { status, json } = await aws.signedJson("GET", `/clusters/${encodeURIComponent(cluster)}/cost`);
    if (status !== 200) {
      const err = z.object({ message: z.string().optional() }).passthrough().safeParse(json);
      const msg = err.success ? err.data.message : undefined;
      if (status === 404 && !msg)
        throw new CliError(`the EKS endpoint does not offer cluster costs (a Kumulus extension)`);
      throw new CliError(`getting the cost of cluster "${cluster}": ${msg ?? `HTTP ${status}`}`);
    }
    const parsed = Cost.safeParse(json);
    if (!parsed.success) throw new CliError(`unexpected cost response: ${parsed.error.issues[0]?.message}`);
    const c = parsed.data;
    const rows = c.lines.map((l) => [
      l.kind,
      l.instanceType,
      l.capacityType,
      String(l.count),
      money(l.hourlyCost),
      money(l.costSoFar),
    ]);
    const count = c.lines.reduce((s, l) => s + l.count, 0);
    rows.push(["TOTAL", "", "", String(count), money(c.hourlyCost), money(c.costSoFar)]);
    print(
      process.stdout,
      format,
      c,
      ["KIND", "INSTANCE TYPE", "CAPACITY TYPE", "COUNT", `HOURLY (${c.currency})`, "SO FAR"],
      rows,
    );
    if (format === "table")
      log.info(`cost of cluster "${cluster}" since ${new Date(c.since * 1000).toISOString()}`);
  },
};
