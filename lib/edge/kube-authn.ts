import type { KubeObject } from "../api/types.ts";
import { type Authenticator, unauthorized } from "../apiserver/pipeline.ts";
import { accessEntriesOf } from "../eks/access-entries.ts";
import type { ClusterDoc } from "../eks/repo.ts";
import { parseEksToken, signedFor, TOKEN_PREFIX } from "../identity/eks-token.ts";
import type { CredentialLookup, Principal } from "../identity/iam/credentials.ts";
import { type AwsAuthMap, mapPrincipal, parseAwsAuth } from "../identity/principal-mapping.ts";
import { type FetchLike, verifyWithSts } from "../identity/sts-remote.ts";
import {
  secretFingerprint,
  TOKEN_CACHE_MAX_ENTRIES,
  tokenCacheKey,
  VerifiedTokenCache,
} from "../identity/token-cache.ts";
import { tokenShapeError } from "../identity/token-checks.ts";
import { log } from "../log.ts";
import type { Store } from "../store/store.ts";
import type { AwsAuth } from "./aws-auth.ts";

// The Kubernetes API's IAM authenticator: an `aws eks get-token` bearer token is checked as
// aws-iam-authenticator checks it (shape, then the signature recomputed with the key's secret for this
// cluster's name), then the principal is mapped to a user by the cluster's access settings and aws-auth.
// Cluster documents and aws-auth are read through short caches (EKS itself says mapping changes take a few
// seconds); a write to aws-auth through this process drops its entry at once.
//
// Verified tokens are cached, briefly and safely. A token's signature is recomputed once: the fact that it
// was signed for this cluster with a given key is kept under a hash of (token, cluster) for at most
// TOKEN_TTL_MS and never past the token's own validity (X-Amz-Date + 15 minutes). What the cache does not
// keep is the key's standing: every request, hit or miss, still asks AwsAuth.lookup for the access key, and a
// hit counts only if that answer is ok and carries the very secret (and session token) the signature was
// checked with. So a cached token stops working exactly when an uncached one would: at once when the key is
// deleted or deactivated, its user deleted or its session removed through this process's IAM API (which
// drops AwsAuth's answers), and within AwsAuth's 5-second lookup cache when that happens in another process.
// An expired STS session is refused by the lookup the same way. The one thing the lookup does not consult is
// a role session's role, so nothing here hears of a role being deleted: a role session's entry is kept at
// most ROLE_SESSION_TTL_MS, which bounds how long the cache alone can carry it past the deletion. The shape
// checks (host, expiry) and the mapping to a Kubernetes user (access entries, aws-auth, 2-second caches) run
// on every request, so removing an access entry takes effect within seconds. Refusals are never cached.

const CACHE_MS = 2_000;
/** How long a verified token's signature check is reused (the key's standing is re-read every request). */
const TOKEN_TTL_MS = 30_000;
/** A role session's entry: its role's deletion reaches no cache in this process (see above). */
const ROLE_SESSION_TTL_MS = 10_000;
/** aws-iam-authenticator accepts a token for 15 minutes after its X-Amz-Date. */
const TOKEN_VALID_MS = 15 * 60_000;

/** What a successful signature check leaves behind: which key, and which secret, signed the token. */
interface VerifiedToken {
  accessKeyId: string;
  fingerprint: string;
}

export interface IamAuthenticatorOptions {
  aws: AwsAuth;
  store: Store;
  doc: (cluster: string) => Promise<ClusterDoc | undefined>;
  /** The stack's own host:port values, where its STS is served. */
  ownHosts: () => ReadonlySet<string>;
  /**
   * AWS mode: tokens are checked by STS itself (the presigned request is sent to it), so principals come from
   * the account's real IAM. Only AWS's STS hosts, plus `hosts` (e.g. LocalStack's), are accepted; the
   * stack's own STS is not.
   */
  remoteSts?: { hosts: ReadonlySet<string>; fetch: FetchLike };
}

/** How long AWS mode reuses what STS said of a token (STS is the authority; the mapping still runs). */
const REMOTE_TTL_MS = 10_000;

export class IamAuthenticator {
  private awsAuth = new Map<string, { at: number; value: Promise<AwsAuthMap> }>();
  private docs = new Map<string, { at: number; value: Promise<ClusterDoc | undefined> }>();
  /** Signature checks that succeeded, by tokenCacheKey(token, cluster). Exposed for tests and benchmarks. */
  readonly verified = new VerifiedTokenCache<VerifiedToken>({
    ttlMs: TOKEN_TTL_MS,
    maxEntries: TOKEN_CACHE_MAX_ENTRIES,
  });

  /** AWS mode: what STS said of recently seen tokens. */
  private readonly remote = new VerifiedTokenCache<Principal>({
    ttlMs: REMOTE_TTL_MS,
    maxEntries: TOKEN_CACHE_MAX_ENTRIES,
  });

  constructor(private readonly o: IamAuthenticatorOptions) {}

  /** Called after a write to a kind: a ConfigMap write may be aws-auth. */
  onWrite(cluster: string, group: string, plural: string): void {
    if (group === "" && plural === "configmaps") this.awsAuth.delete(cluster);
  }

  forgetCluster(cluster: string): void {
    this.docs.delete(cluster);
    this.awsAuth.delete(cluster);
  }

  private cached<T>(m: Map<string, { at: number; value: Promise<T> }>, k: string, load: () => Promise<T>) {
    const hit = m.get(k);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
    const value = load();
    m.set(k, { at: Date.now(), value });
    value.catch(() => m.delete(k));
    if (m.size > 5_000) m.clear();
    return value;
  }

  private mapOf(cluster: string): Promise<AwsAuthMap> {
    return this.cached(this.awsAuth, cluster, async () => {
      const cm = (await this.o.store.get({
        cluster,
        group: "",
        plural: "configmaps",
        namespace: "kube-system",
        name: "aws-auth",
      })) as (KubeObject & { data?: Record<string, string> }) | undefined;
      return parseAwsAuth(cm?.data);
    });
  }

  authenticator: Authenticator = async (req, cluster) => {
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "")?.[1];
    if (!token?.startsWith(TOKEN_PREFIX)) return undefined;
    const refuse = (why: string) => {
      log("info", "token refused", { cluster, reason: why });
      return unauthorized();
    };
    // The stack serves STS on its own endpoint: the host this request reached is one of its hosts.
    const own = this.o.remoteSts
      ? this.o.remoteSts.hosts
      : new Set([...this.o.ownHosts(), new URL(req.url).host, req.headers.get("host") ?? ""]);
    const shape = tokenShapeError(token, own, Date.now());
    if (shape) throw refuse(shape);
    const principal = this.o.remoteSts
      ? await this.verifyRemote(token, cluster, this.o.remoteSts.fetch, refuse)
      : await this.verify(token, cluster, refuse).then((c) => ({
          ...c.principal,
          accessKeyId: c.accessKeyId,
        }));
    const doc = await this.cached(this.docs, cluster, () => this.o.doc(cluster));
    if (!doc) throw refuse("no such cluster");
    const mode = doc.accessConfig.authenticationMode;
    const mapped = mapPrincipal(
      principal,
      {
        ...doc.accessConfig,
        creatorArn: doc.creatorArn,
        entriesBootstrapped: mode !== "CONFIG_MAP" && doc.accessEntries !== undefined,
      },
      mode === "API" ? { roles: [], users: [], accounts: [] } : await this.mapOf(cluster),
      accessEntriesOf(doc),
    );
    if (!mapped) throw refuse(`${principal.arn} is not mapped`);
    return mapped;
  };

  private async verifyRemote(
    token: string,
    cluster: string,
    fetchImpl: FetchLike,
    refuse: (why: string) => Error,
  ): Promise<Principal> {
    const key = tokenCacheKey(token, cluster);
    const now = Date.now();
    const hit = this.remote.get(key, now);
    if (hit) return hit;
    const t = parseEksToken(token);
    if (!t) throw refuse("input token was not properly formatted");
    const r = await verifyWithSts(t.url, cluster, fetchImpl);
    if (!r.ok) throw refuse(r.reason);
    this.remote.set(key, r.principal, now, Math.min(t.date.getTime() + TOKEN_VALID_MS, now + REMOTE_TTL_MS));
    return r.principal;
  }

  /**
   * The key behind a token whose signature is good for `cluster`: from the verified-token cache when the key
   * still stands with the same secret, else by parsing the token and recomputing its signature.
   */
  private async verify(
    token: string,
    cluster: string,
    refuse: (why: string) => Error,
  ): Promise<Extract<CredentialLookup, { ok: true }> & { accessKeyId: string }> {
    const key = tokenCacheKey(token, cluster);
    const hit = this.verified.get(key, Date.now());
    if (hit) {
      const cred = await this.o.aws.lookup(hit.accessKeyId);
      if (cred.ok && secretFingerprint(cred.secret, cred.sessionToken) === hit.fingerprint)
        return { ...cred, accessKeyId: hit.accessKeyId };
      // The key is gone, inactive, expired or has another secret: forget the token and check it afresh.
      this.verified.delete(key);
    }
    const t = parseEksToken(token);
    if (!t) throw refuse("input token was not properly formatted");
    const cred = await this.o.aws.lookup(t.accessKeyId);
    if (!cred.ok) throw refuse(`access key ${cred.reason}`);
    if ((cred.sessionToken ?? undefined) !== t.sessionToken) throw refuse("session token does not match");
    if (!(await signedFor(t, cred.secret, cluster))) throw refuse("signature does not match this cluster");
    const now = Date.now();
    const role = cred.principal.type === "assumed-role";
    this.verified.set(
      key,
      { accessKeyId: t.accessKeyId, fingerprint: secretFingerprint(cred.secret, cred.sessionToken) },
      now,
      Math.min(t.date.getTime() + TOKEN_VALID_MS, role ? now + ROLE_SESSION_TTL_MS : Infinity),
    );
    return { ...cred, accessKeyId: t.accessKeyId };
  }
}
