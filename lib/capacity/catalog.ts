import data from "./catalog-data.json" with { type: "json" };

// The EC2 instance catalog: every type Kumulus can launch, with what the scheduler needs (capacity and
// allocatable as Karpenter computes them for AL2023) and its us-east-1 on-demand price. The data is
// catalog-data.json (sources, columns and the types left out: README.md in this folder); this module gives it
// types, looks types up by name, and turns a type into Kubernetes resources and node labels.

export type Arch = "amd64" | "arm64";

export interface Allocatable {
  cpuMilli: number;
  memoryMiB: number;
  ephemeralStorageGiB: number;
  pods: number;
  nvidiaGPU?: number;
  amdGPU?: number;
  awsNeuron?: number;
  awsNeuronCore?: number;
}

export interface InstanceType {
  /** `m5.large`: the `node.kubernetes.io/instance-type` label. */
  name: string;
  /** `m5`: the text before the dot. */
  family: string;
  /** `m`: Karpenter's instance-category. */
  category: string;
  /** `5`: Karpenter's instance-generation. */
  generation: number;
  /** `large`: the text after the dot. */
  size: string;
  vcpu: number;
  /** EC2's MemoryInfo.SizeInMiB, before any overhead. */
  memoryMiB: number;
  arch: Arch;
  /** Pods the VPC CNI allows (ENI formula, AL2023); also `allocatable.pods`. */
  maxPods: number;
  /** Linux on-demand price in us-east-1 (pricing.ts has other regions and spot). */
  onDemandUSDPerHour: number;
  allocatable: Allocatable;
  bareMetal: boolean;
  gpuName?: string;
  gpuCount?: number;
  gpuMemoryMiB?: number;
  acceleratorName?: string;
  acceleratorCount?: number;
}

type Row = [string, string, number, number, number, string, number, number, number, number];
type Extras = Partial<
  Pick<InstanceType, "gpuName" | "gpuCount" | "gpuMemoryMiB" | "acceleratorName" | "acceleratorCount">
> &
  Pick<Allocatable, "nvidiaGPU" | "amdGPU" | "awsNeuron" | "awsNeuronCore">;

const COLUMNS = [
  "name",
  "category",
  "generation",
  "vcpu",
  "memoryMiB",
  "arch",
  "maxPods",
  "onDemandUSDPerHour",
  "allocatableCpuMilli",
  "allocatableMemoryMiB",
];

let byName: Map<string, InstanceType> | undefined;
let all: readonly InstanceType[] | undefined;

/** Builds the typed catalog once, checking every row (a malformed data file fails loudly, not later). */
function load(): Map<string, InstanceType> {
  if (byName) return byName;
  if (JSON.stringify(data.columns) !== JSON.stringify(COLUMNS))
    throw new Error(`catalog-data.json: unexpected columns ${JSON.stringify(data.columns)}`);
  const metal = new Set<string>(data.bareMetal);
  const extras = data.accelerators as Record<string, Extras>;
  const map = new Map<string, InstanceType>();
  for (const raw of data.types as unknown[]) {
    const row = checkRow(raw);
    const [name, category, generation, vcpu, memoryMiB, arch, maxPods, price, cpuMilli, allocMiB] = row;
    const dot = name.indexOf(".");
    const x = extras[name] ?? {};
    const allocatable: Allocatable = {
      cpuMilli,
      memoryMiB: allocMiB,
      ephemeralStorageGiB: data.allocatableEphemeralStorageGiB,
      pods: maxPods,
    };
    for (const k of ["nvidiaGPU", "amdGPU", "awsNeuron", "awsNeuronCore"] as const)
      if (x[k] !== undefined) allocatable[k] = x[k];
    const t: InstanceType = {
      name,
      family: name.slice(0, dot),
      category,
      generation,
      size: name.slice(dot + 1),
      vcpu,
      memoryMiB,
      arch: arch as Arch,
      maxPods,
      onDemandUSDPerHour: price,
      allocatable,
      bareMetal: metal.has(name),
    };
    for (const k of ["gpuName", "gpuCount", "gpuMemoryMiB", "acceleratorName", "acceleratorCount"] as const)
      if (x[k] !== undefined) (t as unknown as Record<string, unknown>)[k] = x[k];
    if (map.has(name)) throw new Error(`catalog-data.json: ${name} is listed twice`);
    map.set(name, Object.freeze(t));
  }
  byName = map;
  all = Object.freeze([...map.values()]);
  return map;
}

function checkRow(raw: unknown): Row {
  const kinds = [
    "string",
    "string",
    "number",
    "number",
    "number",
    "string",
    "number",
    "number",
    "number",
    "number",
  ];
  const ok =
    Array.isArray(raw) &&
    raw.length === kinds.length &&
    raw.every((v, i) => typeof v === kinds[i]) &&
    /^[a-z0-9-]+\.[a-z0-9-]+$/.test(raw[0]) &&
    (raw[5] === "amd64" || raw[5] === "arm64") &&
    raw.slice(2).every((v) => typeof v !== "number" || (Number.isFinite(v) && v > 0));
  if (!ok) throw new Error(`catalog-data.json: malformed row ${JSON.stringify(raw)}`);
  return raw as Row;
}

/** Every instance type of the catalog, in catalog order (by family, then size). */
export function instanceTypes(): readonly InstanceType[] {
  load();
  return all!;
}

/** The instance type of this name, or undefined. */
export function instanceType(name: string): InstanceType | undefined {
  return load().get(name);
}

/** The instance type of this name; throws for a name the catalog does not have. */
export function requireInstanceType(name: string): InstanceType {
  const t = instanceType(name);
  if (!t) throw new Error(`unknown instance type ${JSON.stringify(name)}`);
  return t;
}

/** Karpenter's `--vm-memory-overhead-percent` default: memory the hypervisor keeps from the guest. */
export const VM_MEMORY_OVERHEAD = 0.075;

/** The root volume's size (EKS's and Karpenter's default of 20 GiB): the node's ephemeral-storage capacity. */
export const ROOT_VOLUME_GIB = 20;

/** Kubernetes resource names of the accelerators a type can carry. */
const DEVICE_RESOURCES = {
  nvidiaGPU: "nvidia.com/gpu",
  amdGPU: "amd.com/gpu",
  awsNeuron: "aws.amazon.com/neuron",
  awsNeuronCore: "aws.amazon.com/neuroncore",
} as const;

function devices(a: Allocatable): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, resource] of Object.entries(DEVICE_RESOURCES)) {
    const n = a[k as keyof typeof DEVICE_RESOURCES];
    if (n) out[resource] = String(n);
  }
  return out;
}

/**
 * A node's `status.capacity` as Karpenter computes it: cpu = vCPUs; memory = MiB (less 64 MiB on arm64) less
 * 7.5 % (rounded up) for the VM; pods = max pods; ephemeral-storage = the 20 GiB root volume; accelerators.
 */
export function capacityOf(t: InstanceType): Record<string, string> {
  const mib = t.memoryMiB - (t.arch === "arm64" ? 64 : 0);
  return {
    cpu: String(t.vcpu),
    memory: `${mib - Math.ceil(mib * VM_MEMORY_OVERHEAD)}Mi`,
    "ephemeral-storage": `${ROOT_VOLUME_GIB}Gi`,
    pods: String(t.maxPods),
    ...devices(t.allocatable),
  };
}

/** A node's `status.allocatable`: capacity less kube-reserved, system-reserved and eviction thresholds. */
export function allocatableOf(t: InstanceType): Record<string, string> {
  const a = t.allocatable;
  return {
    cpu: `${a.cpuMilli}m`,
    memory: `${a.memoryMiB}Mi`,
    "ephemeral-storage": `${a.ephemeralStorageGiB}Gi`,
    pods: String(a.pods),
    ...devices(a),
  };
}

/**
 * The labels a node of this type carries whatever its zone and capacity type: the well-known ones (with the
 * beta twins kubelet and the cloud provider still set) and Karpenter's `karpenter.k8s.aws/instance-*` ones,
 * valued as Karpenter values them (cpu = vCPUs, memory = MiB before overheads, generation an integer).
 */
export function instanceTypeLabels(t: InstanceType): Record<string, string> {
  const labels: Record<string, string> = {
    "node.kubernetes.io/instance-type": t.name,
    "beta.kubernetes.io/instance-type": t.name,
    "kubernetes.io/arch": t.arch,
    "beta.kubernetes.io/arch": t.arch,
    "kubernetes.io/os": "linux",
    "beta.kubernetes.io/os": "linux",
    "karpenter.k8s.aws/instance-family": t.family,
    "karpenter.k8s.aws/instance-category": t.category,
    "karpenter.k8s.aws/instance-generation": String(t.generation),
    "karpenter.k8s.aws/instance-size": t.size,
    "karpenter.k8s.aws/instance-cpu": String(t.vcpu),
    "karpenter.k8s.aws/instance-memory": String(t.memoryMiB),
  };
  if (t.gpuCount !== undefined) {
    labels["karpenter.k8s.aws/instance-gpu-count"] = String(t.gpuCount);
    if (t.gpuName) labels["karpenter.k8s.aws/instance-gpu-name"] = t.gpuName;
    if (t.gpuMemoryMiB !== undefined)
      labels["karpenter.k8s.aws/instance-gpu-memory"] = String(t.gpuMemoryMiB);
  }
  if (t.acceleratorCount !== undefined) {
    labels["karpenter.k8s.aws/instance-accelerator-count"] = String(t.acceleratorCount);
    if (t.acceleratorName) labels["karpenter.k8s.aws/instance-accelerator-name"] = t.acceleratorName;
  }
  return labels;
}
