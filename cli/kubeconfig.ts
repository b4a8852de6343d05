import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parse, stringify } from "yaml";

// Writes or merges a kubeconfig entry for one cluster, the way `eksctl utils write-kubeconfig` does.

interface Named<T> {
  name: string;
  [k: string]: unknown;
  value?: T;
}

interface KubeConfig {
  apiVersion: string;
  kind: string;
  clusters: Named<unknown>[];
  contexts: Named<unknown>[];
  users: Named<unknown>[];
  "current-context"?: string;
  preferences?: Record<string, unknown>;
}

function upsert(list: Named<unknown>[], entry: Named<unknown>): Named<unknown>[] {
  return [...list.filter((e) => e.name !== entry.name), entry];
}

/** How kubectl authenticates: a fixed bearer token, or (the default) `aws eks get-token` as eksctl writes it. */
export type KubeconfigUser = { token: string } | { exec: "aws" };

function userEntry(cluster: string, user: KubeconfigUser): Record<string, unknown> {
  if ("token" in user) return { token: user.token };
  return {
    exec: {
      apiVersion: "client.authentication.k8s.io/v1beta1",
      command: "aws",
      args: ["eks", "get-token", "--output", "json", "--cluster-name", cluster],
      interactiveMode: "IfAvailable",
      provideClusterInfo: false,
    },
  };
}

/** `caData` is base64 of the CA bundle that signs an HTTPS endpoint (EKS certificateAuthority.data). */
export function writeKubeconfig(
  file: string,
  cluster: string,
  endpoint: string,
  caData?: string,
  user: KubeconfigUser = { exec: "aws" },
): void {
  const server = `${endpoint.replace(/\/$/, "")}/clusters/${cluster}`;
  const base: KubeConfig = existsSync(file)
    ? ((parse(readFileSync(file, "utf8")) as KubeConfig) ?? emptyConfig())
    : emptyConfig();
  const name = `kumulus-${cluster}`;
  base.clusters = upsert(base.clusters ?? [], {
    name,
    cluster: caData ? { server, "certificate-authority-data": caData } : { server },
  });
  base.users = upsert(base.users ?? [], { name, user: userEntry(cluster, user) });
  base.contexts = upsert(base.contexts ?? [], {
    name,
    context: { cluster: name, user: name, namespace: "default" },
  });
  base["current-context"] = name;
  writeFileSync(file, stringify(base), { mode: 0o600 });
}

function emptyConfig(): KubeConfig {
  return { apiVersion: "v1", kind: "Config", clusters: [], contexts: [], users: [], preferences: {} };
}
