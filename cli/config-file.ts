import { readFileSync } from "node:fs";
import { isRegionName, zonesOf } from "../lib/capacity/regions.ts";
import { type ClusterConfig, loadClusterConfig } from "../lib/eksctl/index.ts";
import { CliError, type Flags } from "./command.ts";
import { type AwsOptions, awsOptionsFrom } from "./eks-client.ts";
import { Logger } from "./logger.ts";

// Reading `-f FILE` (or `-f -` for stdin) and refusing the flags a file replaces, with eksctl's wording.

export function readConfigText(file: string): string {
  try {
    return readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (e) {
    throw new CliError(`reading config file ${JSON.stringify(file)}: ${(e as Error).message}`);
  }
}

/** eksctl: `cannot use --nodes when --config-file/-f is set`. */
export function refuseWithFile(flags: Flags, args: string[], conflicting: string[]): void {
  for (const f of conflicting) {
    if (flags.changed(f)) throw new CliError(`cannot use --${f} when --config-file/-f is set`);
  }
  if (args.length) throw new CliError("cannot use name argument when --config-file/-f is set");
}

/**
 * Loads `-f FILE` in its own region's zones. One documented departure from eksctl: a Kubernetes version EKS no
 * longer supports (eksctl: "invalid version, 1.17 is no longer supported, supported values: …") is raised to
 * the oldest supported version, with a warning that says so, so that old files still make a cluster; the
 * warning goes where the command's log lines go.
 */
export function loadConfigFile(file: string, log?: Pick<Logger, "warning">): ClusterConfig {
  const text = readConfigText(file);
  return loadClusterConfig(text, {
    file: file === "-" ? undefined : file,
    upgradeRetiredVersions: true,
    warn: (m) => (log ?? new Logger({ out: process.stderr })).warning(m),
    regionZones: zonesFor(text),
  });
}

/** The zones of the file's region (EC2's order), for eksctl's pick of availability zones. */
function zonesFor(text: string): string[] | undefined {
  const region = /^\s*region:\s*["']?([a-z0-9-]+)["']?\s*$/m.exec(text)?.[1];
  if (!region || !isRegionName(region)) return undefined;
  return zonesOf(region);
}

/** A loaded config's cluster name and region (the loader has made sure both are set). */
export function identityOf(cfg: ClusterConfig): { name: string; region: string } {
  const name = cfg.metadata?.name;
  const region = cfg.metadata?.region;
  if (!name) throw new CliError("metadata.name must be set");
  if (!region) throw new CliError("metadata.region must be set");
  return { name, region };
}

/**
 * `-f FILE` for a command that acts on one cluster: the flags the file replaces are refused, then the config,
 * the cluster's name, and the AWS options with the file's region.
 */
export function readClusterFile(
  file: string,
  flags: Flags,
  args: string[],
  log: Pick<Logger, "warning">,
  replaced: string[],
): { cfg: ClusterConfig; cluster: string; opts: AwsOptions } {
  refuseWithFile(flags, args, replaced);
  const cfg = loadConfigFile(file, log);
  const { name, region } = identityOf(cfg);
  return { cfg, cluster: name, opts: { ...awsOptionsFrom(flags), region } };
}
