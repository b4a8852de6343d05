import type { ManagedNodeGroup, NodeGroup } from "./schema.ts";

// eksctl resolves instanceSelector with the EC2 instance selector at create time. This room has no EC2 API,
// so it picks from a short table of current general-purpose types (all in Kumulus' catalog, which
// test/unit/eksctl-examples.test.ts checks), the same way: every type matching vCPUs, memory, GPUs and
// architecture, minus deny, limited to allow.

type Row = [name: string, vcpus: number, memoryGiB: number, gpus: number, arch: "x86_64" | "arm64"];

const TABLE: readonly Row[] = [
  ["t3.small", 2, 2, 0, "x86_64"],
  ["t3a.small", 2, 2, 0, "x86_64"],
  ["t4g.small", 2, 2, 0, "arm64"],
  ["t3.medium", 2, 4, 0, "x86_64"],
  ["t3a.medium", 2, 4, 0, "x86_64"],
  ["t4g.medium", 2, 4, 0, "arm64"],
  ["c5.large", 2, 4, 0, "x86_64"],
  ["c5a.large", 2, 4, 0, "x86_64"],
  ["c6i.large", 2, 4, 0, "x86_64"],
  ["c6a.large", 2, 4, 0, "x86_64"],
  ["c7i.large", 2, 4, 0, "x86_64"],
  ["c6g.large", 2, 4, 0, "arm64"],
  ["c7g.large", 2, 4, 0, "arm64"],
  ["t3.large", 2, 8, 0, "x86_64"],
  ["m5.large", 2, 8, 0, "x86_64"],
  ["m5a.large", 2, 8, 0, "x86_64"],
  ["m6i.large", 2, 8, 0, "x86_64"],
  ["m6a.large", 2, 8, 0, "x86_64"],
  ["m7i.large", 2, 8, 0, "x86_64"],
  ["m6g.large", 2, 8, 0, "arm64"],
  ["m7g.large", 2, 8, 0, "arm64"],
  ["r5.large", 2, 16, 0, "x86_64"],
  ["r6i.large", 2, 16, 0, "x86_64"],
  ["c5.xlarge", 4, 8, 0, "x86_64"],
  ["t3.xlarge", 4, 16, 0, "x86_64"],
  ["m5.xlarge", 4, 16, 0, "x86_64"],
  ["m6i.xlarge", 4, 16, 0, "x86_64"],
  ["m6g.xlarge", 4, 16, 0, "arm64"],
  ["r5.xlarge", 4, 32, 0, "x86_64"],
  ["g4dn.xlarge", 4, 16, 1, "x86_64"],
  ["g5.xlarge", 4, 16, 1, "x86_64"],
  ["c5.2xlarge", 8, 16, 0, "x86_64"],
  ["m5.2xlarge", 8, 32, 0, "x86_64"],
  ["m6i.2xlarge", 8, 32, 0, "x86_64"],
  ["g4dn.2xlarge", 8, 32, 1, "x86_64"],
  ["g5.2xlarge", 8, 32, 1, "x86_64"],
  ["c5.4xlarge", 16, 32, 0, "x86_64"],
  ["m5.4xlarge", 16, 64, 0, "x86_64"],
];

/** "4", "4GiB", "4096MiB", "4 GiB" → GiB (eksctl's unit defaults to GiB). */
function gib(memory: string): number | undefined {
  const m = /^\s*([\d.]+)\s*(GiB|GB|MiB|MB|Gi|Mi)?\s*$/i.exec(memory);
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2]?.toLowerCase().startsWith("m") ? n / 1024 : n;
}

const glob = (pattern: string) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);

export function selectInstanceTypes(ng: NodeGroup | ManagedNodeGroup): string[] {
  const s = ng.instanceSelector ?? {};
  const memory = s.memory !== undefined ? gib(s.memory) : undefined;
  const arch = s.cpuArchitecture === "arm64" ? "arm64" : "x86_64";
  const allow = s.allow?.map(glob);
  const deny = s.deny?.map(glob);
  return TABLE.filter(
    ([name, vcpus, mem, gpus, a]) =>
      a === arch &&
      (s.vCPUs === undefined || vcpus === s.vCPUs) &&
      (memory === undefined || mem === memory) &&
      (s.gpus === undefined || gpus === s.gpus) &&
      (!allow || allow.some((r) => r.test(name))) &&
      !deny?.some((r) => r.test(name)),
  ).map(([name]) => name);
}

export const hasSelector = (ng: NodeGroup | ManagedNodeGroup) =>
  Object.keys(ng.instanceSelector ?? {}).length > 0;
