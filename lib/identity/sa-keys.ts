import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, type KeyLike } from "jose";

// Each cluster's service-account signing key: RS256, as kube-apiserver and EKS sign service-account tokens
// (IRSA consumers such as STS only accept RSA keys in the JWKS). A key is made on first use and kept in the
// identity table under the cluster's unique id, so a cluster created again under the same name signs with a
// new key and the old cluster's tokens verify nowhere. Keys never rotate here; EKS rotates every 7 days.

export interface ClusterSigningKey {
  kid: string;
  privateKey: KeyLike;
  publicKey: KeyLike;
  /** The public half as the JWKS serves it (kid, use, alg set). */
  publicJwk: JWK;
}

interface StoredKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

/** Where keys are kept: one item per cluster id, created once. */
export interface SigningKeyStore {
  get(clusterId: string): Promise<StoredKey | undefined>;
  /** False when a key for the id exists already (another process made it first). */
  create(clusterId: string, key: StoredKey): Promise<boolean>;
}

export class DynamoSigningKeyStore implements SigningKeyStore {
  constructor(
    private readonly ddb: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  private key(clusterId: string) {
    return { pk: { S: `sakey#${clusterId}` }, sk: { S: "sakey" } };
  }

  async get(clusterId: string): Promise<StoredKey | undefined> {
    const out = await this.ddb.send(
      new GetItemCommand({ TableName: this.tableName, Key: this.key(clusterId), ConsistentRead: true }),
    );
    const doc = out.Item?.doc?.S;
    return doc === undefined ? undefined : (JSON.parse(doc) as StoredKey);
  }

  async create(clusterId: string, key: StoredKey): Promise<boolean> {
    try {
      await this.ddb.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { ...this.key(clusterId), doc: { S: JSON.stringify(key) } },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }
}

export class MemorySigningKeyStore implements SigningKeyStore {
  private readonly keys = new Map<string, StoredKey>();
  async get(clusterId: string) {
    return this.keys.get(clusterId);
  }
  async create(clusterId: string, key: StoredKey) {
    if (this.keys.has(clusterId)) return false;
    this.keys.set(clusterId, key);
    return true;
  }
}

async function load(k: StoredKey): Promise<ClusterSigningKey> {
  return {
    kid: k.kid,
    privateKey: (await importJWK(k.privateJwk, "RS256")) as KeyLike,
    publicKey: (await importJWK(k.publicJwk, "RS256")) as KeyLike,
    publicJwk: k.publicJwk,
  };
}

async function generate(): Promise<StoredKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", {
    modulusLength: 2048,
    extractable: true,
  });
  const pub = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(pub);
  return {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: "RS256" },
    publicJwk: { ...pub, kid, use: "sig", alg: "RS256" },
  };
}

/** The signing key of each cluster id, loaded once per process. */
export class SigningKeys {
  private readonly cache = new Map<string, Promise<ClusterSigningKey>>();

  constructor(private readonly store: SigningKeyStore) {}

  forCluster(clusterId: string): Promise<ClusterSigningKey> {
    let p = this.cache.get(clusterId);
    if (!p) {
      p = this.loadOrCreate(clusterId);
      this.cache.set(clusterId, p);
      p.catch(() => this.cache.delete(clusterId));
    }
    return p;
  }

  private async loadOrCreate(clusterId: string): Promise<ClusterSigningKey> {
    const found = await this.store.get(clusterId);
    if (found) return load(found);
    const made = await generate();
    if (await this.store.create(clusterId, made)) return load(made);
    const winner = await this.store.get(clusterId);
    if (!winner) throw new Error(`signing key of cluster ${clusterId} vanished`);
    return load(winner);
  }
}
