import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { parse, stringify } from "yaml";
import { z } from "zod";

// Kubeconfig files as eksctl writes them (pkg/utils/kubeconfig): cluster `<name>.<region>.eksctl.io`, user and
// context `<iam-user>@<name>.<region>.eksctl.io`, an exec credential running `aws eks get-token`, merged into
// the existing file so other contexts survive.

const Named = z.object({ name: z.string() }).passthrough();
const KubeConfigSchema = z
  .object({
    apiVersion: z.string().default("v1"),
    kind: z.string().default("Config"),
    clusters: z.array(Named).nullish(),
    contexts: z.array(Named).nullish(),
    users: z.array(Named).nullish(),
    "current-context": z.string().optional(),
    preferences: z.record(z.string(), z.unknown()).optional(),
  })
  .passthrough();

type KubeConfig = z.infer<typeof KubeConfigSchema>;
type Entry = z.infer<typeof Named>;

function read(file: string): KubeConfig {
  if (!existsSync(file)) return emptyConfig();
  const text = readFileSync(file, "utf8");
  const doc: unknown = text.trim() === "" ? {} : parse(text);
  const parsed = KubeConfigSchema.safeParse(doc ?? {});
  if (!parsed.success) throw new Error(`unable to read existing kubeconfig file ${JSON.stringify(file)}`);
  return parsed.data;
}

function write(file: string, cfg: KubeConfig): void {
  mkdirSync(path.dirname(file), { recursive: true });
  // Written aside and renamed over, so a kumulus running at the same time never reads half a file.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, stringify(cfg), { mode: 0o600 });
  renameSync(tmp, file);
}

function emptyConfig(): KubeConfig {
  return { apiVersion: "v1", kind: "Config", clusters: [], contexts: [], users: [], preferences: {} };
}

function upsert(list: Entry[] | null | undefined, entry: Entry): Entry[] {
  const l = list ?? [];
  const i = l.findIndex((e) => e.name === entry.name);
  if (i < 0) return [...l, entry];
  return l.map((e, j) => (j === i ? entry : e));
}

/** $KUBECONFIG's first file, else ~/.kube/config: where eksctl writes unless --kubeconfig says otherwise. */
export function defaultKubeconfigPath(): string {
  const fromEnv = process.env.KUBECONFIG?.split(path.delimiter).find((p) => p !== "");
  return fromEnv ?? path.join(homedir(), ".kube", "config");
}

/** ~/.kube/eksctl/clusters/<name>, for --auto-kubeconfig. */
export function autoKubeconfigPath(cluster: string): string {
  return path.join(homedir(), ".kube", "eksctl", "clusters", cluster);
}

export function clusterEntryName(cluster: string, region: string): string {
  return `${cluster}.${region}.eksctl.io`;
}

/** eksctl's user part: the last `/` segment of the caller's ARN, or iam-root-account for a root ARN. */
export function userNameOf(arn: string): string {
  if (/:root$/.test(arn)) return "iam-root-account";
  const parts = arn.split("/");
  return parts[parts.length - 1] || "iam-root-account";
}

export interface EksctlKubeconfig {
  file: string;
  cluster: string;
  region: string;
  /** The cluster's Kubernetes API URL (DescribeCluster endpoint). */
  server: string;
  caData?: string;
  /** The caller's IAM ARN: names the context. */
  callerArn: string;
  /** Passed to `aws eks get-token` through AWS_PROFILE, as eksctl does when a profile is in use. */
  profile?: string;
  setContext: boolean;
}

export function execUser(cluster: string, region: string, profile?: string): Record<string, unknown> {
  const env: { name: string; value: string }[] = [{ name: "AWS_STS_REGIONAL_ENDPOINTS", value: "regional" }];
  if (profile) env.push({ name: "AWS_PROFILE", value: profile });
  return {
    exec: {
      apiVersion: "client.authentication.k8s.io/v1beta1",
      args: ["eks", "get-token", "--output", "json", "--cluster-name", cluster, "--region", region],
      command: "aws",
      env,
      interactiveMode: "IfAvailable",
      provideClusterInfo: false,
    },
  };
}

/** Writes or merges the entries `eksctl utils write-kubeconfig` writes; returns the context name. */
export function writeEksctlKubeconfig(k: EksctlKubeconfig): string {
  const cfg = read(k.file);
  const clusterName = clusterEntryName(k.cluster, k.region);
  const contextName = `${userNameOf(k.callerArn)}@${clusterName}`;
  cfg.clusters = upsert(cfg.clusters, {
    cluster: k.caData ? { "certificate-authority-data": k.caData, server: k.server } : { server: k.server },
    name: clusterName,
  });
  cfg.contexts = upsert(cfg.contexts, {
    context: { cluster: clusterName, user: contextName },
    name: contextName,
  });
  cfg.users = upsert(cfg.users, { name: contextName, user: execUser(k.cluster, k.region, k.profile) });
  if (k.setContext) cfg["current-context"] = contextName;
  write(k.file, cfg);
  return contextName;
}

/** Removes what writeEksctlKubeconfig wrote for a cluster (after `delete cluster`); true if anything went. */
export function removeEksctlKubeconfig(file: string, cluster: string, region: string): boolean {
  if (!existsSync(file)) return false;
  const cfg = read(file);
  const clusterName = clusterEntryName(cluster, region);
  const ours = (e: Entry) => e.name === clusterName || e.name.endsWith(`@${clusterName}`);
  const before = (cfg.clusters?.length ?? 0) + (cfg.contexts?.length ?? 0) + (cfg.users?.length ?? 0);
  cfg.clusters = (cfg.clusters ?? []).filter((e) => !ours(e));
  cfg.contexts = (cfg.contexts ?? []).filter((e) => !ours(e));
  cfg.users = (cfg.users ?? []).filter((e) => !ours(e));
  if (cfg["current-context"]?.endsWith(`@${clusterName}`)) cfg["current-context"] = "";
  const after = cfg.clusters.length + cfg.contexts.length + cfg.users.length;
  if (after === before) return false;
  write(file, cfg);
  return true;
}

/** How kubectl authenticates in the tests' and benchmarks' kubeconfigs: a fixed token, or `aws eks get-token`. */
export type KubeconfigUser = { token: string } | { exec: "aws" };

/**
 * A kubeconfig for the cluster at `${endpoint}/clusters/${cluster}` under the context `kumulus-<cluster>`,
 * for tests and benchmarks that hold a token of their own. Users get writeEksctlKubeconfig.
 */
export function writeKubeconfig(
  file: string,
  cluster: string,
  endpoint: string,
  caData?: string,
  user: KubeconfigUser = { exec: "aws" },
): void {
  const server = `${endpoint.replace(/\/$/, "")}/clusters/${cluster}`;
  const cfg = read(file);
  const name = `kumulus-${cluster}`;
  cfg.clusters = upsert(cfg.clusters, {
    name,
    cluster: caData ? { server, "certificate-authority-data": caData } : { server },
  });
  const userEntry =
    "token" in user
      ? { token: user.token }
      : {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: ["eks", "get-token", "--output", "json", "--cluster-name", cluster],
            interactiveMode: "IfAvailable",
            provideClusterInfo: false,
          },
        };
  cfg.users = upsert(cfg.users, { name, user: userEntry });
  cfg.contexts = upsert(cfg.contexts, { name, context: { cluster: name, user: name, namespace: "default" } });
  cfg["current-context"] = name;
  write(file, cfg);
}
