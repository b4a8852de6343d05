import { createHash } from "node:crypto";
import type { KindInfo } from "./types.ts";

// Discovery documents: the legacy APIGroupList/APIResourceList and the aggregated apidiscovery.k8s.io/v2 form
// kubectl 1.32 asks for first.

const EXTRA_SUBRESOURCES: Record<
  string,
  { name: string; kind: string; group?: string; version?: string; verbs: string[] }[]
> = {
  "/pods": [
    { name: "log", kind: "Pod", verbs: ["get"] },
    { name: "eviction", kind: "Eviction", group: "policy", version: "v1", verbs: ["create"] },
    { name: "binding", kind: "Binding", verbs: ["create"] },
    // Served with a clear 400 (simulated pods have no runtime), listed so clients find them as on kube.
    { name: "exec", kind: "PodExecOptions", verbs: ["create", "get"] },
    { name: "attach", kind: "PodAttachOptions", verbs: ["create", "get"] },
    { name: "portforward", kind: "PodPortForwardOptions", verbs: ["create", "get"] },
  ],
  "/serviceaccounts": [
    { name: "token", kind: "TokenRequest", group: "authentication.k8s.io", version: "v1", verbs: ["create"] },
  ],
  "/namespaces": [{ name: "finalize", kind: "Namespace", verbs: ["update"] }],
};

function groupVersion(k: KindInfo): string {
  return k.group ? `${k.group}/${k.version}` : k.version;
}

function hash(s: string): string {
  return createHash("sha256").update(s).digest("base64").slice(0, 11);
}

/** Preferred version: the first served, with v1 ahead of betas as the apiserver orders them. */
function versionsOf(kinds: KindInfo[], group: string): string[] {
  const vs = [...new Set(kinds.filter((k) => k.group === group).map((k) => k.version))];
  return vs.sort((a, b) => versionPriority(b) - versionPriority(a));
}

function versionPriority(v: string): number {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return 0;
  const major = Number(m[1]);
  const stage = m[2] === "alpha" ? 0 : m[2] === "beta" ? 1 : 2;
  return stage * 10000 + major * 100 + Number(m[3] ?? 0);
}

/** /version of a cluster at `version` ("1.32"), worded like EKS's ("v1.32.0-eks-kumulus"). */
export function versionInfo(version = "1.32") {
  const [major, minor] = version.split(".");
  return {
    major,
    minor,
    gitVersion: `v${major}.${minor}.0-eks-kumulus`,
    gitCommit: "0000000000000000000000000000000000000000",
    gitTreeState: "clean",
    buildDate: "2026-11-01T00:00:00Z",
    goVersion: "go1.23.0",
    compiler: "gc",
    platform: "linux/amd64",
  };
}

export function apiVersions() {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "" }],
  };
}

function groupEntry(kinds: KindInfo[], group: string) {
  const versions = versionsOf(kinds, group).map((version) => ({
    groupVersion: `${group}/${version}`,
    version,
  }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function apiGroupList(kinds: KindInfo[]) {
  const groups = [...new Set(kinds.map((k) => k.group).filter((g) => g !== ""))];
  return { kind: "APIGroupList", apiVersion: "v1", groups: groups.map((g) => groupEntry(kinds, g)) };
}

export function apiGroup(kinds: KindInfo[], group: string) {
  if (!kinds.some((k) => k.group === group)) return undefined;
  return { kind: "APIGroup", apiVersion: "v1", ...groupEntry(kinds, group) };
}

export function apiResourceList(kinds: KindInfo[], gv: string) {
  const inGv = kinds.filter((k) => groupVersion(k) === gv);
  if (inGv.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const k of inGv) {
    resources.push({
      name: k.plural,
      singularName: k.singular,
      namespaced: k.namespaced,
      kind: k.kind,
      verbs: k.verbs,
      ...(k.shortNames.length ? { shortNames: k.shortNames } : {}),
      ...(k.categories.length ? { categories: k.categories } : {}),
      storageVersionHash: hash(`${gv}/${k.kind}`),
    });
    if (k.subresources.status)
      resources.push({
        name: `${k.plural}/status`,
        singularName: "",
        namespaced: k.namespaced,
        kind: k.kind,
        verbs: ["get", "patch", "update"],
      });
    if (k.subresources.scale)
      resources.push({
        name: `${k.plural}/scale`,
        singularName: "",
        namespaced: k.namespaced,
        group: "autoscaling",
        version: "v1",
        kind: "Scale",
        verbs: ["get", "patch", "update"],
      });
    for (const s of EXTRA_SUBRESOURCES[`${k.group}/${k.plural}`] ?? []) {
      resources.push({
        name: `${k.plural}/${s.name}`,
        singularName: "",
        namespaced: k.namespaced,
        kind: s.kind,
        ...(s.group ? { group: s.group, version: s.version } : {}),
        verbs: s.verbs,
      });
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: gv, resources };
}

export function aggregatedDiscovery(kinds: KindInfo[], root: "api" | "apis") {
  const groups = root === "api" ? [""] : [...new Set(kinds.map((k) => k.group).filter((g) => g !== ""))];
  return {
    kind: "APIGroupDiscoveryList",
    apiVersion: "apidiscovery.k8s.io/v2",
    metadata: {},
    items: groups.map((group) => ({
      metadata: { name: group, creationTimestamp: null },
      versions: versionsOf(kinds, group).map((version) => ({
        version,
        freshness: "Current",
        resources: kinds
          .filter((k) => k.group === group && k.version === version)
          .map((k) => {
            const subresources: Record<string, unknown>[] = [];
            if (k.subresources.status)
              subresources.push({
                subresource: "status",
                responseKind: { group, version, kind: k.kind },
                verbs: ["get", "patch", "update"],
              });
            if (k.subresources.scale)
              subresources.push({
                subresource: "scale",
                responseKind: { group: "autoscaling", version: "v1", kind: "Scale" },
                verbs: ["get", "patch", "update"],
              });
            for (const s of EXTRA_SUBRESOURCES[`${k.group}/${k.plural}`] ?? []) {
              subresources.push({
                subresource: s.name,
                responseKind: { group: s.group ?? group, version: s.version ?? version, kind: s.kind },
                verbs: s.verbs,
              });
            }
            return {
              resource: k.plural,
              responseKind: { group, version, kind: k.kind },
              scope: k.namespaced ? "Namespaced" : "Cluster",
              singularResource: k.singular,
              verbs: k.verbs,
              ...(k.shortNames.length ? { shortNames: k.shortNames } : {}),
              ...(k.categories.length ? { categories: k.categories } : {}),
              ...(subresources.length ? { subresources } : {}),
            };
          }),
      })),
    })),
  };
}
