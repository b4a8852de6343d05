import type { Instance, OfferingSelector } from "./instance.ts";

// Where the simulated provider keeps a cluster's instances, address leases, address counters and unavailable
// offerings. Everything is per cluster (the cluster is in every key). Two implementations: DynamoDB (the
// `capacity` table, dynamo-store.ts) and memory (below, for tests of pure logic).

export type InsertResult = "ok" | "address-taken" | "id-taken";

export interface CapacityStore {
  /** Advances the cluster's address counter of a zone by `count`; returns the first value reserved. */
  reserveAddresses(cluster: string, zone: string, count: number): Promise<number>;
  /** Writes a new instance and the lease of its address together, or nothing. */
  insert(instance: Instance): Promise<InsertResult>;
  get(cluster: string, id: string): Promise<Instance | undefined>;
  /** Every instance record of the cluster, terminated ones too, as stored (state not resolved by time). */
  list(cluster: string): Promise<Instance[]>;
  /**
   * Moves an instance from `expected` to `terminated` with this terminatedTime and releases its address.
   * False if it was not in the expected state (nothing written).
   */
  markTerminated(
    cluster: string,
    id: string,
    expected: Instance["state"],
    terminatedTime: string,
  ): Promise<boolean>;
  /** A running spot instance → interrupted. False if it was not running (nothing written). */
  markInterrupted(
    cluster: string,
    id: string,
    interruptionTime: string,
    terminatedTime: string,
  ): Promise<boolean>;
  setUnavailable(cluster: string, selector: OfferingSelector, unavailable: boolean): Promise<void>;
  unavailable(cluster: string): Promise<OfferingSelector[]>;
  /** Removes every record of the cluster. */
  purge(cluster: string): Promise<void>;
}

/** The key of an offering selector; `*` for a field left out. */
export function selectorKey(s: OfferingSelector): string {
  return `${s.instanceType ?? "*"}#${s.zone ?? "*"}#${s.capacityType ?? "*"}`;
}

interface ClusterRecords {
  instances: Map<string, Instance>;
  /** address → instance id */
  leases: Map<string, string>;
  counters: Map<string, number>;
  unavailable: Map<string, OfferingSelector>;
}

export class MemoryCapacityStore implements CapacityStore {
  private clusters = new Map<string, ClusterRecords>();

  private of(cluster: string): ClusterRecords {
    let c = this.clusters.get(cluster);
    if (!c) {
      c = { instances: new Map(), leases: new Map(), counters: new Map(), unavailable: new Map() };
      this.clusters.set(cluster, c);
    }
    return c;
  }

  async reserveAddresses(cluster: string, zone: string, count: number): Promise<number> {
    const c = this.of(cluster);
    const first = c.counters.get(zone) ?? 0;
    c.counters.set(zone, first + count);
    return first;
  }

  async insert(instance: Instance): Promise<InsertResult> {
    const c = this.of(instance.cluster);
    if (c.instances.has(instance.id)) return "id-taken";
    if (c.leases.has(instance.privateIp)) return "address-taken";
    c.instances.set(instance.id, structuredClone(instance));
    c.leases.set(instance.privateIp, instance.id);
    return "ok";
  }

  async get(cluster: string, id: string): Promise<Instance | undefined> {
    const i = this.clusters.get(cluster)?.instances.get(id);
    return i && structuredClone(i);
  }

  async list(cluster: string): Promise<Instance[]> {
    return [...(this.clusters.get(cluster)?.instances.values() ?? [])].map((i) => structuredClone(i));
  }

  async markTerminated(
    cluster: string,
    id: string,
    expected: Instance["state"],
    terminatedTime: string,
  ): Promise<boolean> {
    const c = this.of(cluster);
    const i = c.instances.get(id);
    if (i?.state !== expected) return false;
    i.state = "terminated";
    i.terminatedTime = terminatedTime;
    if (c.leases.get(i.privateIp) === id) c.leases.delete(i.privateIp);
    return true;
  }

  async markInterrupted(
    cluster: string,
    id: string,
    interruptionTime: string,
    terminatedTime: string,
  ): Promise<boolean> {
    const i = this.of(cluster).instances.get(id);
    if (i?.state !== "running" || i.capacityType !== "spot") return false;
    i.state = "interrupted";
    i.interruptionTime = interruptionTime;
    i.terminatedTime = terminatedTime;
    return true;
  }

  async setUnavailable(cluster: string, selector: OfferingSelector, unavailable: boolean): Promise<void> {
    const c = this.of(cluster);
    if (unavailable) c.unavailable.set(selectorKey(selector), { ...selector });
    else c.unavailable.delete(selectorKey(selector));
  }

  async unavailable(cluster: string): Promise<OfferingSelector[]> {
    return [...(this.clusters.get(cluster)?.unavailable.values() ?? [])].map((s) => ({ ...s }));
  }

  async purge(cluster: string): Promise<void> {
    this.clusters.delete(cluster);
  }
}
