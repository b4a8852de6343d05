import {
  type AttributeValue,
  BatchWriteItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { costSummary, instanceCost } from "../../lib/capacity/cost.ts";
import { DynamoCapacityStore, instanceFromItem, instanceItem } from "../../lib/capacity/dynamo-store.ts";
import { type Instance, isLive, providerIdOf } from "../../lib/capacity/instance.ts";
import { instanceNodeLabels } from "../../lib/capacity/labels.ts";
import { fargatePrice, onDemandPrice, spotPrice } from "../../lib/capacity/pricing.ts";
import {
  CapacityRequestError,
  type InsufficientCapacity,
  isInsufficientCapacity,
  type LaunchRequest,
  SimulatedCapacityProvider,
} from "../../lib/capacity/provider.ts";
import { type CapacityStore, MemoryCapacityStore } from "../../lib/capacity/store.ts";

// The capacity provider: launch order and fallbacks, the offering and interruption knobs, addresses, and
// costs; run over the memory store and over the DynamoDB store (against a stand-in that evaluates the
// store's key conditions and condition expressions, as test/unit/committer-companions.test.ts does).

type Item = Record<string, AttributeValue>;

/** Just enough of DynamoDB for the capacity store: one table, its commands and condition expressions. */
class FakeDynamo {
  items = new Map<string, Item>();
  commands: string[] = [];

  private key(k: Item) {
    return `${k.pk.S}\u0000${k.sk.S}`;
  }

  private value(expr: string, item: Item | undefined, names: Record<string, string>, values: Item) {
    const token = expr.trim();
    if (token.startsWith(":")) return values[token];
    return item?.[names[token] ?? token];
  }

  /** attribute_not_exists(x), a = :v, joined by AND / OR (no parentheses: the store needs none). */
  holds(
    expr: string | undefined,
    item: Item | undefined,
    names: Record<string, string> = {},
    values: Item = {},
  ) {
    if (!expr) return true;
    return expr.split(" OR ").some((alt) =>
      alt.split(" AND ").every((term) => {
        const t = term.trim();
        const notExists = /^attribute_not_exists\((.+)\)$/.exec(t);
        if (notExists) return this.value(notExists[1], item, names, values) === undefined;
        const eq = /^(.+?) = (.+)$/.exec(t);
        if (!eq) throw new Error(`unsupported condition ${t}`);
        return (
          JSON.stringify(this.value(eq[1], item, names, values)) ===
          JSON.stringify(this.value(eq[2], item, names, values))
        );
      }),
    );
  }

  private update(input: NonNullable<UpdateItemCommand["input"]>, current: Item | undefined): Item {
    const names = input.ExpressionAttributeNames ?? {};
    const values = input.ExpressionAttributeValues ?? {};
    const next: Item = { ...(current ?? input.Key!), ...input.Key };
    const expr = input.UpdateExpression!;
    const add = /^ADD (\w+) (:\w+)$/.exec(expr);
    if (add) {
      next[add[1]] = { N: String(Number(current?.[add[1]]?.N ?? 0) + Number(values[add[2]].N)) };
      return next;
    }
    const set = /^SET (.+)$/.exec(expr);
    if (!set) throw new Error(`unsupported update ${expr}`);
    for (const assignment of set[1].split(",")) {
      const [lhs, rhs] = assignment.split("=").map((s) => s.trim());
      next[names[lhs] ?? lhs] = values[rhs];
    }
    return next;
  }

  private conditionFailed() {
    return Object.assign(new Error("The conditional request failed"), {
      name: "ConditionalCheckFailedException",
    });
  }

  async send(cmd: unknown): Promise<any> {
    this.commands.push((cmd as object).constructor.name);
    if (cmd instanceof GetItemCommand) return { Item: this.items.get(this.key(cmd.input.Key!)) };
    if (cmd instanceof PutItemCommand) {
      this.items.set(this.key(cmd.input.Item!), cmd.input.Item!);
      return {};
    }
    if (cmd instanceof DeleteItemCommand) {
      this.items.delete(this.key(cmd.input.Key!));
      return {};
    }
    if (cmd instanceof UpdateItemCommand) {
      const k = this.key(cmd.input.Key!);
      const cur = this.items.get(k);
      const i = cmd.input;
      if (!this.holds(i.ConditionExpression, cur, i.ExpressionAttributeNames, i.ExpressionAttributeValues))
        throw this.conditionFailed();
      const next = this.update(i, cur);
      this.items.set(k, next);
      return { Attributes: i.ReturnValues === "UPDATED_NEW" ? next : undefined };
    }
    if (cmd instanceof QueryCommand) {
      const i = cmd.input;
      const values = i.ExpressionAttributeValues!;
      const prefix = /begins_with\(sk, :prefix\)/.test(i.KeyConditionExpression!) ? values[":prefix"].S! : "";
      if (!/^pk = :pk( AND begins_with\(sk, :prefix\))?$/.test(i.KeyConditionExpression!))
        throw new Error(`unsupported key condition ${i.KeyConditionExpression}`);
      const all = [...this.items.values()]
        .filter((it) => it.pk.S === values[":pk"].S && it.sk.S!.startsWith(prefix))
        .sort((a, b) => (a.sk.S! < b.sk.S! ? -1 : 1));
      // Pages of 3, to exercise pagination.
      const from = i.ExclusiveStartKey ? all.findIndex((it) => it.sk.S === i.ExclusiveStartKey!.sk.S) + 1 : 0;
      const page = all.slice(from, from + 3);
      const last = page.at(-1);
      return {
        Items: page,
        LastEvaluatedKey: from + 3 < all.length && last ? { pk: last.pk, sk: last.sk } : undefined,
      };
    }
    if (cmd instanceof BatchWriteItemCommand) {
      const [[, requests]] = Object.entries(cmd.input.RequestItems!);
      if (requests.length > 25) throw new Error("too many items in a batch");
      for (const r of requests) this.items.delete(this.key(r.DeleteRequest!.Key!));
      return { UnprocessedItems: {} };
    }
    if (cmd instanceof TransactWriteItemsCommand) {
      const tx = cmd.input.TransactItems!;
      const reasons = tx.map((t) => {
        const op = (t.Put ?? t.Update ?? t.Delete)!;
        const cur = this.items.get(this.key(t.Put ? t.Put.Item! : (t.Update ?? t.Delete)!.Key!));
        return {
          Code: this.holds(
            op.ConditionExpression,
            cur,
            op.ExpressionAttributeNames,
            op.ExpressionAttributeValues,
          )
            ? "None"
            : "ConditionalCheckFailed",
        };
      });
      if (reasons.some((r) => r.Code !== "None"))
        throw Object.assign(new Error("Transaction cancelled"), {
          name: "TransactionCanceledException",
          CancellationReasons: reasons,
        });
      for (const t of tx) {
        if (t.Put) this.items.set(this.key(t.Put.Item!), t.Put.Item!);
        if (t.Delete) this.items.delete(this.key(t.Delete.Key!));
        if (t.Update) {
          const k = this.key(t.Update.Key!);
          this.items.set(k, this.update(t.Update, this.items.get(k)));
        }
      }
      return {};
    }
    throw new Error(`unexpected command ${(cmd as object).constructor.name}`);
  }
}

const T0 = Date.parse("2026-03-01T10:00:00.000Z");
const HOUR = 3_600_000;

function setup(makeStore: () => CapacityStore, region = "us-east-1") {
  const clock = { t: T0 };
  let n = 0;
  const store = makeStore();
  const provider = new SimulatedCapacityProvider({
    store,
    region,
    now: () => clock.t,
    newInstanceId: () => `i-${(++n).toString(16).padStart(17, "0")}`,
  });
  return { provider, clock, store };
}

async function launched(p: Promise<Instance[] | InsufficientCapacity>): Promise<Instance[]> {
  const r = await p;
  if (isInsufficientCapacity(r)) throw new Error(`expected instances, got ${r.code}: ${r.message}`);
  return r;
}

const od = (over: Partial<LaunchRequest> = {}): LaunchRequest =>
  ({
    cluster: "dev",
    instanceTypes: ["m5.large"],
    capacityType: "on-demand",
    zones: ["us-east-1a"],
    ...over,
  }) as LaunchRequest;

const stores: [string, () => CapacityStore][] = [
  ["memory", () => new MemoryCapacityStore()],
  ["DynamoDB", () => new DynamoCapacityStore(new FakeDynamo(), "kumulus-test-capacity")],
];

describe.each(stores)("simulated capacity provider (%s store)", (_, makeStore) => {
  it("launches an instance with an id, an address in the zone's subnet, its DNS name, price and tags", async () => {
    const { provider } = setup(makeStore);
    const [i] = await launched(provider.launch(od({ tags: { team: "a" } })));
    expect(i).toEqual({
      id: "i-00000000000000001",
      cluster: "dev",
      instanceType: "m5.large",
      capacityType: "on-demand",
      region: "us-east-1",
      zone: "us-east-1a",
      zoneId: "use1-az1",
      privateIp: "192.168.0.4",
      privateDnsName: "ip-192-168-0-4.ec2.internal",
      launchTime: "2026-03-01T10:00:00.000Z",
      state: "running",
      hourlyPrice: 0.096,
      tags: { "eks:eks-cluster-name": "dev", "kubernetes.io/cluster/dev": "owned", team: "a" },
    });
    expect(providerIdOf(i)).toBe("aws:///us-east-1a/i-00000000000000001");
    expect(instanceNodeLabels(i)).toMatchObject({
      "node.kubernetes.io/instance-type": "m5.large",
      "karpenter.k8s.aws/instance-family": "m5",
      "kubernetes.io/hostname": "ip-192-168-0-4.ec2.internal",
      "topology.kubernetes.io/region": "us-east-1",
      "topology.kubernetes.io/zone": "us-east-1a",
      "topology.k8s.aws/zone-id": "use1-az1",
    });
    expect(await provider.describe("dev")).toEqual([i]);
  });

  it("gives random ids of EC2's shape by default", async () => {
    const provider = new SimulatedCapacityProvider({ store: makeStore() });
    const ids = (await launched(provider.launch(od({ count: 5 })))).map((i) => i.id);
    for (const id of ids) expect(id).toMatch(/^i-[0-9a-f]{17}$/);
    expect(new Set(ids).size).toBe(5);
  });

  it("hands out consecutive, unique addresses per zone, from eksctl's subnets or the caller's", async () => {
    const { provider } = setup(makeStore);
    const a = await launched(provider.launch(od({ count: 3 })));
    expect(a.map((i) => i.privateIp)).toEqual(["192.168.0.4", "192.168.0.5", "192.168.0.6"]);
    const c = await launched(provider.launch(od({ zones: ["us-east-1c"] })));
    expect(c[0].privateIp).toBe("192.168.64.4");
    const custom = await launched(
      provider.launch(od({ zones: ["us-east-1f"], subnetCidrByZone: { "us-east-1f": "10.0.96.0/20" } })),
    );
    expect(custom[0]).toMatchObject({ privateIp: "10.0.96.4", privateDnsName: "ip-10-0-96-4.ec2.internal" });
    // Concurrent launches never share an address.
    const many = await Promise.all(
      Array.from({ length: 8 }, () => launched(provider.launch(od({ count: 2 })))),
    );
    const ips = [...a, ...many.flat()].map((i) => i.privateIp);
    expect(new Set(ips).size).toBe(ips.length);
  });

  it("reuses a terminated instance's address only once the counter comes round, and never a live one", async () => {
    const { provider } = setup(makeStore);
    const subnet = { subnetCidrByZone: { "us-east-1a": "10.1.0.0/28" } }; // 11 usable addresses
    const first = await launched(provider.launch(od({ ...subnet, count: 11 })));
    expect(first.at(-1)!.privateIp).toBe("10.1.0.14");
    const full = await provider.launch(od(subnet));
    expect(full).toMatchObject({ code: "InsufficientFreeAddressesInSubnet" });
    await provider.terminate("dev", [first[4].id]);
    const again = await launched(provider.launch(od(subnet)));
    expect(again[0].privateIp).toBe(first[4].privateIp);
    const live = (await provider.describe("dev", { states: ["running"] })).map((i) => i.privateIp);
    expect(new Set(live).size).toBe(11);
  });

  it("takes on-demand offerings cheapest first by default, or in the order given when prioritized", async () => {
    const { provider } = setup(makeStore);
    const types = ["m5.xlarge", "c5.large", "m5.large"];
    const [cheap] = await launched(provider.launch(od({ instanceTypes: types })));
    expect(cheap.instanceType).toBe("c5.large");
    const [first] = await launched(
      provider.launch(od({ instanceTypes: types, allocationStrategy: "prioritized", zones: ["us-east-1b"] })),
    );
    expect(first).toMatchObject({ instanceType: "m5.xlarge", zone: "us-east-1b" });
  });

  it("takes the cheapest spot offering over types and zones, below the on-demand price", async () => {
    const { provider } = setup(makeStore);
    const types = ["m5.large", "m5a.large", "m6i.large", "c5.xlarge"];
    const zones = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"];
    const [i] = await launched(
      provider.launch({ cluster: "dev", instanceTypes: types, capacityType: "spot", zones }),
    );
    const cheapest = Math.min(...types.flatMap((t) => zones.map((z) => spotPrice(t, z))));
    expect(i.capacityType).toBe("spot");
    expect(i.hourlyPrice).toBe(cheapest);
    expect(i.hourlyPrice).toBe(spotPrice(i.instanceType, i.zone));
    expect(i.hourlyPrice).toBeLessThan(onDemandPrice(i.instanceType) * 0.45 + 1e-9);
  });

  it("skips offerings made unavailable, and answers InsufficientInstanceCapacity when none is left", async () => {
    const { provider } = setup(makeStore);
    const zones = ["us-east-1a", "us-east-1b"];
    await provider.setOfferingAvailability(
      "dev",
      { instanceType: "m5.large", zone: "us-east-1a", capacityType: "on-demand" },
      false,
    );
    const [i] = await launched(provider.launch(od({ zones, allocationStrategy: "prioritized" })));
    expect(i.zone).toBe("us-east-1b");
    // Another cluster is not affected.
    const [other] = await launched(provider.launch(od({ cluster: "prod", zones })));
    expect(other.zone).toBe("us-east-1a");

    await provider.setOfferingAvailability("dev", { capacityType: "spot" }, false);
    expect(await provider.unavailableOfferings("dev")).toHaveLength(2);
    const spot = {
      cluster: "dev",
      instanceTypes: ["m5.large", "c5.large"],
      capacityType: "spot",
      zones,
    } as const;
    const refused = await provider.launch(spot);
    expect(isInsufficientCapacity(refused)).toBe(true);
    expect(refused).toMatchObject({ code: "InsufficientInstanceCapacity" });
    expect((refused as InsufficientCapacity).offerings).toHaveLength(4);
    expect((refused as InsufficientCapacity).message).toMatch(/no Spot capacity/);
    // The fallback a caller makes: on-demand instead.
    const [fallback] = await launched(provider.launch({ ...spot, capacityType: "on-demand" }));
    expect(fallback.capacityType).toBe("on-demand");

    await provider.setOfferingAvailability("dev", { capacityType: "spot" }, true);
    expect(await provider.unavailableOfferings("dev")).toEqual([
      { instanceType: "m5.large", zone: "us-east-1a", capacityType: "on-demand" },
    ]);
    expect(isInsufficientCapacity(await provider.launch(spot))).toBe(false);
    const none = await provider.launch(od({ zones: ["us-east-1a"] }));
    expect(none).toMatchObject({ code: "InsufficientInstanceCapacity" });
    expect((none as InsufficientCapacity).message).toMatch(/sufficient m5.large capacity .* \(us-east-1a\)/);
  });

  it("interrupts spot instances with a two-minute notice, then they are terminated", async () => {
    const { provider, clock } = setup(makeStore);
    const [s] = await launched(provider.launch({ ...od(), capacityType: "spot" } as LaunchRequest));
    const [o] = await launched(provider.launch(od()));
    await expect(provider.interrupt("dev", o.id)).rejects.toMatchObject({ code: "IncorrectInstanceState" });
    await expect(provider.interrupt("dev", "i-nope")).rejects.toBeInstanceOf(CapacityRequestError);
    clock.t += 10 * 60_000;
    const notice = await provider.interrupt("dev", s.id);
    expect(notice).toMatchObject({
      state: "interrupted",
      interruptionTime: "2026-03-01T10:10:00.000Z",
      terminatedTime: "2026-03-01T10:12:00.000Z",
    });
    await expect(provider.interrupt("dev", s.id)).rejects.toMatchObject({ code: "IncorrectInstanceState" });
    clock.t += 60_000;
    expect((await provider.describe("dev", { ids: [s.id] }))[0].state).toBe("interrupted");
    expect(isLive((await provider.describe("dev", { ids: [s.id] }))[0], clock.t)).toBe(true);
    clock.t += 60_000;
    expect((await provider.describe("dev", { ids: [s.id] }))[0].state).toBe("terminated");
    expect(await provider.describe("dev", { states: ["running", "interrupted"] })).toHaveLength(1);
    // Terminating it later keeps the end the notice gave it, and frees its address.
    clock.t += 5 * 60_000;
    const [t] = await provider.terminate("dev", [s.id]);
    expect(t).toMatchObject({ state: "terminated", terminatedTime: "2026-03-01T10:12:00.000Z" });
  });

  it("terminates at once, idempotently, and refuses unknown ids", async () => {
    const { provider, clock } = setup(makeStore);
    const [a, b] = await launched(provider.launch(od({ count: 2 })));
    clock.t += HOUR;
    const [t] = await provider.terminate("dev", [a.id]);
    expect(t).toMatchObject({ id: a.id, state: "terminated", terminatedTime: "2026-03-01T11:00:00.000Z" });
    clock.t += HOUR;
    const [again] = await provider.terminate("dev", [a.id]);
    expect(again.terminatedTime).toBe("2026-03-01T11:00:00.000Z");
    await expect(provider.terminate("dev", ["i-00000000000000099"])).rejects.toMatchObject({
      code: "InvalidInstanceID.NotFound",
    });
    await expect(provider.terminate("prod", [b.id])).rejects.toMatchObject({
      code: "InvalidInstanceID.NotFound",
    });
    expect((await provider.describe("dev", { states: ["running"] })).map((i) => i.id)).toEqual([b.id]);
  });

  it("describes with filters, oldest first, and keeps clusters apart", async () => {
    const { provider, clock } = setup(makeStore);
    await provider.launch(od({ tags: { pool: "a" } }));
    clock.t += 1000;
    await provider.launch(od({ instanceTypes: ["c5.large"], zones: ["us-east-1b"], tags: { pool: "b" } }));
    clock.t += 1000;
    await provider.launch({ ...od(), capacityType: "spot", zones: ["us-east-1c"] } as LaunchRequest);
    await provider.launch(od({ cluster: "prod" }));
    const all = await provider.describe("dev");
    expect(all.map((i) => i.instanceType)).toEqual(["m5.large", "c5.large", "m5.large"]);
    expect((await provider.describe("dev", { tags: { pool: "b" } })).map((i) => i.zone)).toEqual([
      "us-east-1b",
    ]);
    expect(await provider.describe("dev", { capacityTypes: ["spot"] })).toHaveLength(1);
    expect(
      await provider.describe("dev", { zones: ["us-east-1a"], instanceTypes: ["m5.large"] }),
    ).toHaveLength(1);
    expect(await provider.describe("prod")).toHaveLength(1);
    expect(await provider.describe("nobody")).toEqual([]);
    // Each cluster has its own addresses.
    expect((await provider.describe("prod"))[0].privateIp).toBe("192.168.0.4");
    await provider.purge("dev");
    expect(await provider.describe("dev")).toEqual([]);
    expect(await provider.unavailableOfferings("dev")).toEqual([]);
    expect(await provider.describe("prod")).toHaveLength(1);
  });

  it("launches Fargate capacity at Fargate's rates", async () => {
    const { provider } = setup(makeStore);
    const [f] = await launched(
      provider.launch({
        cluster: "dev",
        capacityType: "fargate",
        fargate: { vcpu: 0.25, memoryGB: 0.5 },
        zones: ["us-east-1b", "us-east-1c"],
      }),
    );
    expect(f).toMatchObject({
      instanceType: "fargate",
      capacityType: "fargate",
      zone: "us-east-1b",
      hourlyPrice: fargatePrice({ vcpu: 0.25, memoryGB: 0.5 }),
      fargate: { vcpu: 0.25, memoryGB: 0.5 },
    });
    await provider.setOfferingAvailability("dev", { capacityType: "fargate", zone: "us-east-1b" }, false);
    const [g] = await launched(
      provider.launch({
        cluster: "dev",
        capacityType: "fargate",
        fargate: { vcpu: 1, memoryGB: 2, storageGB: 30 },
        zones: ["us-east-1b", "us-east-1c"],
      }),
    );
    expect(g.zone).toBe("us-east-1c");
    expect(instanceNodeLabels(g)).toMatchObject({
      "kubernetes.io/arch": "amd64",
      "topology.kubernetes.io/zone": "us-east-1c",
    });
    expect(instanceNodeLabels(g)["node.kubernetes.io/instance-type"]).toBeUndefined();
    expect((await provider.describe("dev", { ids: [g.id] }))[0].fargate).toEqual({
      vcpu: 1,
      memoryGB: 2,
      storageGB: 30,
    });
  });

  it("refuses malformed requests", async () => {
    const { provider } = setup(makeStore);
    const bad: LaunchRequest[] = [
      od({ instanceTypes: ["m5.huge"] }),
      od({ instanceTypes: [] }),
      od({ zones: [] }),
      od({ zones: ["eu-west-1a"] }),
      od({ zones: ["us-east-1z"] }),
      od({ count: 0 }),
      od({ cluster: "" }),
      od({ subnetCidrByZone: { "us-east-1a": "10.0.0.0/33" } }),
      { cluster: "dev", capacityType: "fargate", fargate: { vcpu: 0, memoryGB: 1 }, zones: ["us-east-1a"] },
    ];
    for (const req of bad)
      await expect(provider.launch(req), JSON.stringify(req)).rejects.toMatchObject({
        code: "InvalidParameterValue",
      });
    expect(await provider.describe("dev")).toEqual([]);
  });

  it("names instances after the region outside us-east-1", async () => {
    const { provider } = setup(makeStore, "eu-west-1");
    const [i] = await launched(provider.launch(od({ zones: ["eu-west-1b"] })));
    expect(i).toMatchObject({
      region: "eu-west-1",
      zoneId: "euw1-az2",
      privateIp: "192.168.32.4",
      privateDnsName: "ip-192-168-32-4.eu-west-1.compute.internal",
      hourlyPrice: onDemandPrice("m5.large", "eu-west-1"),
    });
    expect(() => new SimulatedCapacityProvider({ region: "moon-1" })).toThrow(/not a region name/);
  });

  it("adds up what a cluster's capacity costs now and so far", async () => {
    const { provider, clock } = setup(makeStore);
    const [a] = await launched(provider.launch(od({ count: 2 })));
    await launched(
      provider.launch({ ...od(), capacityType: "spot", zones: ["us-east-1b"] } as LaunchRequest),
    );
    await launched(
      provider.launch({
        cluster: "dev",
        capacityType: "fargate",
        fargate: { vcpu: 1, memoryGB: 2 },
        zones: ["us-east-1a"],
      }),
    );
    clock.t += 2 * HOUR;
    await provider.terminate("dev", [a.id]);
    clock.t += HOUR;
    const spot = spotPrice("m5.large", "us-east-1b");
    const fargate = fargatePrice({ vcpu: 1, memoryGB: 2 });
    const s = costSummary(await provider.describe("dev"), clock.t);
    expect(s.at).toBe("2026-03-01T13:00:00.000Z");
    expect(s.perHourNow).toBeCloseTo(0.096 + spot + fargate, 9);
    expect(s.soFar).toBeCloseTo(0.096 * 2 + 0.096 * 3 + spot * 3 + fargate * 3, 9);
    const line = (t: string, c: string) => s.lines.find((l) => l.instanceType === t && l.capacityType === c);
    expect(line("m5.large", "on-demand")).toMatchObject({ live: 1, launched: 2 });
    expect(line("m5.large", "on-demand")!.soFar).toBeCloseTo(0.096 * 5, 9);
    expect(line("m5.large", "spot")).toMatchObject({ live: 1, launched: 1 });
    expect(line("fargate", "fargate")).toMatchObject({ live: 1, launched: 1 });
    expect(s.lines).toHaveLength(3);
    // Billing is per second with a one-minute minimum.
    const [short] = await launched(provider.launch(od()));
    clock.t += 10_000;
    expect(instanceCost((await provider.describe("dev", { ids: [short.id] }))[0], clock.t)).toBeCloseTo(
      0.096 / 60,
      9,
    );
    expect(instanceCost(short, T0)).toBe(0);
  });
});

describe("DynamoDB capacity store", () => {
  it("keeps every record under the cluster's partition, instances keyed by id", async () => {
    const ddb = new FakeDynamo();
    const provider = new SimulatedCapacityProvider({ store: new DynamoCapacityStore(ddb, "t") });
    const [i] = await launched(provider.launch(od({ count: 1 })));
    await provider.setOfferingAvailability("dev", { instanceType: "c5.large" }, false);
    const keys = [...ddb.items.values()].map((it) => `${it.pk.S} ${it.sk.S}`).sort();
    expect(keys).toEqual([
      `dev ${i.id}`,
      "dev ip#192.168.0.4",
      "dev ipseq#us-east-1a",
      "dev offering#c5.large#*#*",
    ]);
    await provider.terminate("dev", [i.id]);
    expect([...ddb.items.keys()].some((k) => k.includes("ip#192.168.0.4"))).toBe(false);
  });

  it("round-trips instances through items", () => {
    const i: Instance = {
      id: "i-0123456789abcdef0",
      cluster: "dev",
      instanceType: "fargate",
      capacityType: "fargate",
      region: "us-east-1",
      zone: "us-east-1a",
      zoneId: "use1-az1",
      privateIp: "192.168.0.9",
      privateDnsName: "ip-192-168-0-9.ec2.internal",
      launchTime: "2026-03-01T10:00:00.000Z",
      terminatedTime: "2026-03-01T11:00:00.000Z",
      interruptionTime: "2026-03-01T10:58:00.000Z",
      state: "terminated",
      hourlyPrice: 0.0123425,
      tags: { a: "b" },
      fargate: { vcpu: 0.25, memoryGB: 0.5, storageGB: 21 },
    };
    expect(instanceFromItem(instanceItem(i))).toEqual(i);
    const { zoneId: _z, terminatedTime: _t, interruptionTime: _n, fargate: _f, ...plain } = i;
    expect(instanceFromItem(instanceItem({ ...plain, tags: {} }))).toEqual({ ...plain, tags: {} });
  });
});
