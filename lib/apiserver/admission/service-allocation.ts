import { errors } from "../../api/status.ts";
import type { KubeObject } from "../../api/types.ts";
import type { ClaimRef, Companions } from "../../store/store.ts";
import type { ClaimRequest, CommitExtras } from "../commit-extras.ts";
import type { ResourceContext } from "../context.ts";
import type { AdmissionPlugin } from "./index.ts";

// Services get a ClusterIP from the cluster's service CIDR (EKS' kubernetesNetworkConfig.serviceIpv4Cidr,
// 10.100.0.0/16 unless set) and NodePorts from 30000-32767, unique in the cluster.
//
// The allocator picks a value no listed service uses, then claims it (lib/store claims) in the same
// transaction as the Service write, so two concurrent creates cannot both get it: the loser's admission
// re-runs and picks elsewhere, or, for a value the user asked for, gets kube's 422. The list check stays for
// services stored before claims existed, which hold none. Deleting a service, or an update that stops using
// a value, releases its claims in the same transaction.

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: { nodePort?: number }[];
}

export const CLUSTER_IP = "clusterip";
export const NODE_PORT = "nodeport";

/** The low addresses stay for the ones add-ons ask for (kube-dns is .10), as kube's allocator prefers. */
const FIRST_IP_SLOT = 10;
const FIRST_NODE_PORT = 30000;
const NODE_PORTS = 32767 - FIRST_NODE_PORT + 1;
export const DEFAULT_SERVICE_CIDR = "10.100.0.0/16";

interface ServiceRange {
  cidr: string;
  /** The network address as a number. */
  base: number;
  /** Usable addresses (without the network and broadcast addresses). */
  size: number;
}

function rangeOf(cidr: string | undefined): ServiceRange {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr ?? "");
  const base = ipNumber(m?.[1]);
  const bits = Number(m?.[2]);
  if (!m || base === undefined || bits < 8 || bits > 30) return rangeOf(DEFAULT_SERVICE_CIDR);
  const span = 2 ** (32 - bits);
  return { cidr: cidr!, base: base - (base % span), size: span - 2 };
}

function ipOfNumber(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/** An IPv4 address as a number (the claim's sort key); undefined for anything else. */
export function ipNumber(ip: string | undefined): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip ?? "");
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] * 256 + parts[1]) * 256 + parts[2]) * 256 + parts[3];
}

function usesNodePorts(type: string | undefined): boolean {
  return type === "NodePort" || type === "LoadBalancer";
}

/** The values a service holds: its ClusterIP and, for NodePort and LoadBalancer types, its NodePorts. */
export function heldBy(spec: ServiceSpec | undefined): ClaimRef[] {
  if (!spec || spec.type === "ExternalName") return [];
  const out: ClaimRef[] = [];
  const ip = ipNumber(spec.clusterIP);
  if (ip !== undefined) out.push({ space: CLUSTER_IP, value: ip });
  if (usesNodePorts(spec.type)) {
    // One port number may serve TCP and UDP of the same service: one claim.
    const ports = new Set((spec.ports ?? []).map((p) => p.nodePort).filter((p): p is number => !!p));
    for (const p of ports) out.push({ space: NODE_PORT, value: p });
  }
  return out;
}

function minus(a: ClaimRef[], b: ClaimRef[]): ClaimRef[] {
  return a.filter((x) => !b.some((y) => y.space === x.space && y.value === x.value));
}

/** Releases of everything a deleted service held, for the delete's transaction. */
export function releasesOnDelete(ctx: ResourceContext, ...versions: KubeObject[]): Companions | undefined {
  if (ctx.kind.group !== "" || ctx.kind.plural !== "services") return undefined;
  const releases: ClaimRef[] = [];
  for (const v of versions) releases.push(...minus(heldBy(v.spec as ServiceSpec), releases));
  return releases.length > 0 ? { releases } : undefined;
}

/**
 * Kube clears type-dependent fields the user left unchanged when the type no longer needs them: NodePorts on
 * a switch to ClusterIP, the ClusterIP on a switch to ExternalName.
 */
function dropTypeDependentFields(spec: ServiceSpec, prev: ServiceSpec): void {
  if (usesNodePorts(prev.type) && !usesNodePorts(spec.type)) {
    for (const p of spec.ports ?? [])
      if (p.nodePort && (prev.ports ?? []).some((q) => q.nodePort === p.nodePort)) delete p.nodePort;
  }
  if (spec.type === "ExternalName" && prev.type !== "ExternalName" && spec.clusterIP === prev.clusterIP) {
    delete spec.clusterIP;
    delete spec.clusterIPs;
  }
}

/** The first slot from `start` (wrapping) that `free` accepts. */
function firstFree(count: number, start: number, free: (slot: number) => boolean): number | undefined {
  for (let n = 0; n < count; n++) {
    const slot = (start + n) % count;
    if (free(slot)) return slot;
  }
  return undefined;
}

export const serviceAllocation: AdmissionPlugin = async (ctx, op, obj, old, extras) => {
  if (ctx.kind.group !== "" || ctx.kind.plural !== "services" || op === "DELETE") return;
  const spec = (obj.spec ??= {}) as ServiceSpec;
  const prev = old?.spec as ServiceSpec | undefined;
  if (prev) dropTypeDependentFields(spec, prev);
  const auto =
    spec.type === "ExternalName" ? new Set<string>() : await allocate(ctx, obj, spec, prev, extras);
  if (!extras) return;
  const name = obj.metadata.name ?? "";
  const held = heldBy(prev);
  for (const c of minus(heldBy(spec), held)) {
    const claim: ClaimRequest = { ...c };
    if (!auto.has(`${c.space}/${c.value}`)) claim.refuse = () => refusal(name, spec, c);
    extras.claims.push(claim);
  }
  extras.releases.push(...minus(held, heldBy(spec)));
};

/** Fills the ClusterIP and NodePorts a service needs; returns the values it chose as `space/value`. */
async function allocate(
  ctx: ResourceContext,
  obj: KubeObject,
  spec: ServiceSpec,
  prev: ServiceSpec | undefined,
  extras: CommitExtras | undefined,
): Promise<Set<string>> {
  const chosen = new Set<string>();
  if (prev?.clusterIP && !spec.clusterIP) spec.clusterIP = prev.clusterIP;
  const needIp = !spec.clusterIP;
  const needPorts = usesNodePorts(spec.type) && (spec.ports ?? []).some((p) => !p.nodePort);
  const requested = !needIp && spec.clusterIP !== "None" && spec.clusterIP !== prev?.clusterIP;
  const requestedPorts = (spec.ports ?? [])
    .map((p, i) => ({ port: p.nodePort, i }))
    .filter((p) => p.port && !(prev?.ports ?? []).some((q) => q.nodePort === p.port));
  if (!needIp && !needPorts && !requested && requestedPorts.length === 0) return chosen;
  const all = await ctx.store.listItems({ cluster: ctx.cluster, group: "", plural: "services" });
  const name = obj.metadata.name ?? "";
  const items = all.filter(
    (s) => !(s.metadata.namespace === obj.metadata.namespace && s.metadata.name === name),
  );
  const specs = items.map((s) => (s.spec ?? {}) as ServiceSpec);
  const range = rangeOf(ctx.serviceCidr);
  const ipOfSlot = (i: number) => ipOfNumber(range.base + 1 + i);
  const slots = Math.max(1, range.size - FIRST_IP_SLOT);
  // Addresses and ports a user asks for must be in range and free, as kube's allocators check.
  if (requested) {
    const n = ipNumber(spec.clusterIP);
    if (n === undefined || n <= range.base || n > range.base + range.size)
      throw errors.invalid("Service", "", name, [
        {
          type: "FieldValueInvalid",
          field: "spec.clusterIPs",
          message: `Invalid value: []string{"${spec.clusterIP}"}: failed to allocate IP ${spec.clusterIP}: the provided IP (${spec.clusterIP}) is not in the valid range. The range of valid IPs is ${range.cidr}`,
        },
      ]);
  }
  if (requested && specs.some((s) => s.clusterIP === spec.clusterIP))
    throw refusal(name, spec, { space: CLUSTER_IP, value: 0 });
  const usedPorts = new Set(specs.flatMap((s) => (s.ports ?? []).map((p) => p.nodePort)));
  for (const { port } of requestedPorts)
    if (usedPorts.has(port)) throw refusal(name, spec, { space: NODE_PORT, value: port! });
  // A retry starts at a random place: the writers it collided with all started where it did.
  const start = (count: number) => (extras?.attempt ? Math.floor(Math.random() * count) : 0);
  if (needIp) {
    const usedIps = new Set(specs.map((s) => s.clusterIP));
    const slot = firstFree(slots, start(slots), (n) => {
      const ip = ipOfSlot(n + FIRST_IP_SLOT);
      return !usedIps.has(ip) && !extras?.isTaken(CLUSTER_IP, ipNumber(ip)!);
    });
    if (slot === undefined) throw errors.internal("failed to allocate a serviceIP: range is full");
    spec.clusterIP = ipOfSlot(slot + FIRST_IP_SLOT);
    chosen.add(`${CLUSTER_IP}/${ipNumber(spec.clusterIP)}`);
  }
  if (spec.clusterIP) spec.clusterIPs = [spec.clusterIP];
  if (needPorts) {
    let from = start(NODE_PORTS);
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue;
      const slot = firstFree(NODE_PORTS, from, (n) => {
        const port = n + FIRST_NODE_PORT;
        return !usedPorts.has(port) && !extras?.isTaken(NODE_PORT, port);
      });
      if (slot === undefined) throw errors.internal("failed to allocate a nodePort: range is full");
      p.nodePort = slot + FIRST_NODE_PORT;
      usedPorts.add(p.nodePort);
      chosen.add(`${NODE_PORT}/${p.nodePort}`);
      from = slot + 1;
    }
  }
  return chosen;
}

/** Kube's 422 for a requested ClusterIP or NodePort that another service holds. */
function refusal(name: string, spec: ServiceSpec, c: ClaimRef) {
  if (c.space === CLUSTER_IP)
    return errors.invalid("Service", "", name, [
      {
        type: "FieldValueInvalid",
        field: "spec.clusterIPs",
        message: `Invalid value: []string{"${spec.clusterIP}"}: failed to allocate IP ${spec.clusterIP}: provided IP is already allocated`,
      },
    ]);
  const i = Math.max(
    0,
    (spec.ports ?? []).findIndex((p) => p.nodePort === c.value),
  );
  return errors.invalid("Service", "", name, [
    {
      type: "FieldValueInvalid",
      field: `spec.ports[${i}].nodePort`,
      message: `Invalid value: ${c.value}: provided port is already allocated`,
    },
  ]);
}
