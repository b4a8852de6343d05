import { clusterRequests } from "../lib/eksctl/index.ts";
import { CliError, type Flags } from "./command.ts";
import { deadline, optionalName } from "./common-flags.ts";
import { readClusterFile } from "./config-file.ts";
import { describeNodegroup, listNodegroups } from "./create/nodegroups.ts";
import { type Aws, awsOptionsFrom, createAws } from "./eks-client.ts";
import type { Logger } from "./logger.ts";

// The node groups a `delete nodegroup` or `drain nodegroup` acts on, as eksctl picks them: with -f, the
// file's groups that exist (or with --only-missing, those that exist and the file lacks), in plan mode until
// --approve; otherwise the one --cluster/--name names, which must exist.

export interface NodegroupTargets {
  aws: Aws;
  cluster: string;
  names: string[];
  /** -f without --approve: say what would happen, do nothing. */
  plan: boolean;
}

export async function nodegroupTargets(flags: Flags, args: string[], log: Logger): Promise<NodegroupTargets> {
  const file = flags.string("config-file");
  if (file) {
    const read = readClusterFile(file, flags, args, log, ["cluster", "name", "region"]);
    const aws = createAws(read.opts);
    const inFile = clusterRequests(read.cfg).nodegroups.map((n) => n.nodegroupName!);
    const existing = await listNodegroups({ aws, log, cluster: read.cluster, deadline: deadline(flags) });
    const names = flags.bool("only-missing")
      ? existing.filter((n) => !inFile.includes(n))
      : inFile.filter((n) => existing.includes(n));
    return { aws, cluster: read.cluster, names, plan: !flags.bool("approve") };
  }
  const cluster = flags.string("cluster") ?? "";
  if (!cluster) throw new CliError("--cluster must be set");
  const name = optionalName(flags, args);
  if (!name) throw new CliError("--name must be set");
  const aws = createAws(awsOptionsFrom(flags));
  if (!(await describeNodegroup({ aws, log, cluster, deadline: deadline(flags) }, name)))
    throw new CliError(`nodegroup ${JSON.stringify(name)} not found`);
  return { aws, cluster, names: [name], plan: false };
}
