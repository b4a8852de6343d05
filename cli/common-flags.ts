import { CliError, type Flags } from "./command.ts";
import { awsFlags } from "./eks-client.ts";
import type { FlagSpec } from "./flags.ts";

// Flags many commands share, with eksctl's names, shorthands, defaults and help text.

export const configFileFlag: FlagSpec = {
  name: "config-file",
  short: "f",
  type: "string",
  usage: "load configuration from a file (or stdin if set to '-')",
};
export const clusterFlag: FlagSpec = {
  name: "cluster",
  short: "c",
  type: "string",
  usage: "EKS cluster name",
};
export const clusterNameFlag: FlagSpec = {
  name: "name",
  short: "n",
  type: "string",
  usage: "EKS cluster name",
};
export const timeoutFlag = (dflt = "25m0s"): FlagSpec => ({
  name: "timeout",
  type: "duration",
  default: dflt,
  usage: "maximum waiting time for any long-running operation",
});
export const waitFlag = (dflt = false): FlagSpec => ({
  name: "wait",
  short: "w",
  type: "bool",
  default: dflt,
  usage: "wait for the operation to complete before exiting",
});
export const approveFlag: FlagSpec = { name: "approve", type: "bool", usage: "Apply the changes" };

/** AWS flags plus --timeout: what every command that calls the EKS API takes. */
export const apiFlags = (timeout = "25m0s"): FlagSpec[] => [...awsFlags, timeoutFlag(timeout)];

/** The flag's value or the positional NAME, not both (eksctl's wording); undefined when neither is given. */
export function optionalName(
  flags: Flags,
  args: string[],
  flag: "name" | "cluster" = "name",
): string | undefined {
  const v = flags.string(flag);
  if (v && args[0])
    throw new CliError(`--${flag}=${v} and argument ${args[0]} cannot be used at the same time`);
  return v ?? args[0];
}

/** `--cluster` (with `--name`/positional for cluster commands), with eksctl's conflict and missing wording. */
export function requireName(flags: Flags, args: string[], flag: "name" | "cluster"): string {
  const name = optionalName(flags, args, flag);
  if (!name) throw new CliError(`--${flag} must be set`);
  return name;
}

/** The deadline of a command's waits, from --timeout. */
export function deadline(flags: Flags): number {
  return Date.now() + (flags.duration("timeout") ?? 25 * 60_000);
}
