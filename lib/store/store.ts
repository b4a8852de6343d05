import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import type { KubeObject } from "../api/types.ts";
import { decodeBody, joinChunks } from "./codec.ts";
import { ClusterCommitter, type CommitterTables, type Companion, type Expectation } from "./committer.ts";
import {
  blobPartitionKey,
  claimPartitionKey,
  type ObjectKey,
  partitionKey,
  type ResourceType,
  sortKey,
  sortKeyPrefix,
} from "./keys.ts";

export interface StoreTables extends CommitterTables {
  watchlog: string;
}

export interface ListOptions {
  namespace?: string;
  limit?: number;
  /** Opaque token from a previous page. */
  continue?: string;
  filter?: (obj: KubeObject) => boolean;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface ClusterRecord {
  name: string;
  rv: number;
  createdAt: string;
  updatedAt: number;
  arn?: string;
  version?: string;
  /** The ClusterIP range (EKS kubernetesNetworkConfig.serviceIpv4Cidr). */
  serviceCidr?: string;
}

/** A value of a cluster-wide unique space (a ClusterIP as a 32-bit number, a NodePort). */
export interface ClaimRef {
  space: string;
  value: number;
}

/**
 * What commits with a write, all or nothing: other objects (each with its expected resourceVersion), claims
 * on unique values held by the written object's uid, and releases of claims it no longer needs. When one of
 * them cannot be committed the write fails with CompanionConflictError, whose `failed[].tag` are these.
 */
export interface Companions {
  writes?: { key: ObjectKey; obj: KubeObject; expectRv: number }[];
  claims?: ClaimRef[];
  releases?: ClaimRef[];
}

export class InvalidContinueError extends Error {}

/** A continue token is tied to the list's collection resourceVersion and the last key returned. */
interface ContinueToken {
  rv: string;
  start: string;
}

export class Store {
  private committers = new Map<string, ClusterCommitter>();
  /** Read units consumed, for the benchmarks' cost figures. */
  readonly consumed = { read: 0, write: 0 };

  constructor(
    readonly ddb: DynamoDBClient,
    readonly tables: StoreTables,
  ) {}

  committer(cluster: string): ClusterCommitter {
    let c = this.committers.get(cluster);
    if (!c) {
      c = new ClusterCommitter(this.ddb, this.tables, cluster);
      this.committers.set(cluster, c);
    }
    return c;
  }

  // ---- clusters ----

  async createCluster(name: string, extra: Record<string, string> = {}): Promise<boolean> {
    const item: Record<string, AttributeValue> = {
      pk: { S: name },
      rv: { N: "0" },
      createdAt: { S: new Date().toISOString() },
      updatedAt: { N: String(Date.now()) },
    };
    for (const [k, v] of Object.entries(extra)) item[k] = { S: v };
    try {
      await this.ddb.send(
        new PutItemCommand({
          TableName: this.tables.clusters,
          Item: item,
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return true;
    } catch (e) {
      if ((e as Error).name === "ConditionalCheckFailedException") return false;
      throw e;
    }
  }

  async getCluster(name: string): Promise<ClusterRecord | undefined> {
    const out = await this.ddb.send(
      new GetItemCommand({ TableName: this.tables.clusters, Key: { pk: { S: name } }, ConsistentRead: true }),
    );
    // A removed cluster keeps its item (and revision counter) marked deleted: see cluster-docs.ts.
    return out.Item && !out.Item.deleted && !out.Item.suspended ? toCluster(out.Item) : undefined;
  }

  async listClusters(): Promise<ClusterRecord[]> {
    const out: ClusterRecord[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.ddb.send(
        new ScanCommand({ TableName: this.tables.clusters, ExclusiveStartKey: start, ConsistentRead: true }),
      );
      for (const it of page.Items ?? []) if (!it.deleted && !it.suspended) out.push(toCluster(it));
      start = page.LastEvaluatedKey;
    } while (start);
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The cluster's latest committed resourceVersion (strongly consistent). */
  async currentRevision(cluster: string): Promise<{ rv: number; updatedAt: number } | undefined> {
    const out = await this.ddb.send(
      new GetItemCommand({
        TableName: this.tables.clusters,
        Key: { pk: { S: cluster } },
        ConsistentRead: true,
        ProjectionExpression: "rv, updatedAt",
      }),
    );
    if (!out.Item) return undefined;
    return { rv: Number(out.Item.rv?.N ?? "0"), updatedAt: Number(out.Item.updatedAt?.N ?? "0") };
  }

  // ---- objects ----

  async get(key: ObjectKey): Promise<KubeObject | undefined> {
    const out = await this.ddb.send(
      new GetItemCommand({
        TableName: this.tables.objects,
        Key: { pk: { S: partitionKey(key) }, sk: { S: sortKey(key.namespace, key.name) } },
        ConsistentRead: true,
        ReturnConsumedCapacity: "TOTAL",
      }),
    );
    this.consumed.read += out.ConsumedCapacity?.CapacityUnits ?? 0;
    if (!out.Item || out.Item.deleted?.BOOL) return undefined;
    return this.decodeItem(out.Item);
  }

  /** Decodes an objects-table item (or stream image), fetching chunks for large bodies. */
  async decodeItem(item: Record<string, AttributeValue>): Promise<KubeObject> {
    if (item.body?.B) return decodeBody(item.body.B);
    const n = Number(item.chunks?.N ?? "0");
    const bpk = blobPartitionKey(item.pk.S!, item.sk.S!, Number(item.chunkRv?.N));
    const parts: Uint8Array[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.ddb.send(
        new QueryCommand({
          TableName: this.tables.blobs,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": { S: bpk } },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const it of page.Items ?? []) parts.push(it.data.B!);
      start = page.LastEvaluatedKey;
    } while (start);
    if (n >= 0 && parts.length !== n)
      throw new Error(`object ${item.pk.S} ${item.sk.S}: ${parts.length} of ${n} chunks found`);
    return decodeBody(joinChunks(parts));
  }

  /**
   * The objects alone, without a resourceVersion to watch from: one strongly consistent read fewer per call,
   * for readers that only look (admission, the authorizer's snapshot, controllers' lookups).
   */
  async listItems(type: ResourceType, opts: Pick<ListOptions, "namespace" | "filter"> = {}) {
    return (await this.query(type, opts, false)).items;
  }

  list(type: ResourceType, opts: ListOptions = {}): Promise<ListResult> {
    return this.query(type, opts, true);
  }

  private async query(type: ResourceType, opts: ListOptions, withRevision: boolean): Promise<ListResult> {
    let token: ContinueToken | undefined;
    if (opts.continue) token = parseContinue(opts.continue);
    // Read the revision before the query: every change not visible to the query commits with a larger
    // revision, so a watch from this revision misses nothing (brief §2.2).
    const rv = token
      ? token.rv
      : withRevision
        ? String((await this.currentRevision(type.cluster))?.rv ?? 0)
        : "";
    const prefix = sortKeyPrefix(opts.namespace);
    const items: KubeObject[] = [];
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Number.POSITIVE_INFINITY;
    let start: Record<string, AttributeValue> | undefined = token
      ? { pk: { S: partitionKey(type) }, sk: { S: token.start } }
      : undefined;
    let lastSk: string | undefined;
    let more = false;
    outer: do {
      const values: Record<string, AttributeValue> = { ":pk": { S: partitionKey(type) } };
      let cond = "pk = :pk";
      if (prefix !== undefined) {
        cond += " AND begins_with(sk, :p)";
        values[":p"] = { S: prefix };
      }
      const page = await this.ddb.send(
        new QueryCommand({
          TableName: this.tables.objects,
          KeyConditionExpression: cond,
          ExpressionAttributeValues: values,
          ConsistentRead: true,
          ExclusiveStartKey: start,
          // Without a filter the page can stop one past the limit (to know whether to hand out a continue
          // token); with one, DynamoDB cannot know how many items will match.
          Limit: !opts.filter && Number.isFinite(limit) ? limit - items.length + 1 : undefined,
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      this.consumed.read += page.ConsumedCapacity?.CapacityUnits ?? 0;
      const pageItems = page.Items ?? [];
      for (let i = 0; i < pageItems.length; i++) {
        const it = pageItems[i];
        if (it.deleted?.BOOL) continue;
        const obj = await this.decodeItem(it);
        if (opts.filter && !opts.filter(obj)) continue;
        if (items.length >= limit) {
          more = true;
          break outer;
        }
        items.push(obj);
        lastSk = it.sk.S!;
      }
      start = page.LastEvaluatedKey;
    } while (start);
    const result: ListResult = { items, resourceVersion: rv };
    if (more && lastSk !== undefined)
      result.continue = Buffer.from(JSON.stringify({ rv, start: lastSk })).toString("base64url");
    return result;
  }

  async create(key: ObjectKey, obj: KubeObject, companions?: Companions): Promise<KubeObject> {
    return this.write(key, obj, { absent: true }, false, companions);
  }

  async update(
    key: ObjectKey,
    obj: KubeObject,
    expectRv: number,
    companions?: Companions,
  ): Promise<KubeObject> {
    return this.write(key, obj, { rv: expectRv }, false, companions);
  }

  /** Deletes by writing a tombstone carrying the final object; the DELETED event gets a new revision. */
  async delete(
    key: ObjectKey,
    finalObj: KubeObject,
    expectRv: number,
    companions?: Companions,
  ): Promise<KubeObject> {
    return this.write(key, finalObj, { rv: expectRv }, true, companions);
  }

  private async write(
    key: ObjectKey,
    obj: KubeObject,
    expect: Expectation,
    tombstone: boolean,
    companions: Companions | undefined,
  ): Promise<KubeObject> {
    const pk = partitionKey(key);
    const sk = sortKey(key.namespace, key.name);
    const res = await this.committer(key.cluster).submit({
      pk,
      sk,
      obj,
      expect,
      tombstone,
      companions: companions && companionOps(key.cluster, `${pk}|${sk}`, obj, companions),
    });
    return res.obj;
  }
}

function companionOps(cluster: string, ref: string, obj: KubeObject, c: Companions): Companion[] | undefined {
  const out: Companion[] = [];
  for (const w of c.writes ?? [])
    out.push({
      kind: "write",
      pk: partitionKey(w.key),
      sk: sortKey(w.key.namespace, w.key.name),
      obj: w.obj,
      expect: { rv: w.expectRv },
      tag: w,
    });
  const owner = obj.metadata.uid;
  if (!owner && (c.claims?.length || c.releases?.length)) throw new Error("claims need an owner uid");
  for (const [kind, list] of [
    ["claim", c.claims],
    ["release", c.releases],
  ] as const)
    for (const r of list ?? [])
      out.push({ kind, pk: claimPartitionKey(cluster, r.space), sk: r.value, owner: owner!, ref, tag: r });
  return out.length > 0 ? out : undefined;
}

function toCluster(it: Record<string, AttributeValue>): ClusterRecord {
  return {
    name: it.pk.S!,
    rv: Number(it.rv?.N ?? "0"),
    createdAt: it.createdAt?.S ?? "",
    updatedAt: Number(it.updatedAt?.N ?? "0"),
    arn: it.arn?.S,
    version: it.version?.S,
    serviceCidr: it.serviceCidr?.S,
  };
}

function parseContinue(s: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(s, "base64url").toString("utf8")) as ContinueToken;
    if (typeof t.rv !== "string" || typeof t.start !== "string") throw new Error("bad token");
    return t;
  } catch {
    throw new InvalidContinueError("continue key is not valid: incorrect encoded start resourceVersion");
  }
}
