import type { KubeObject } from "../api/types.ts";
import { type Authenticator, unauthorized } from "../apiserver/pipeline.ts";
import { accessEntriesOf } from "../eks/access-entries.ts";
import type { ClusterDoc } from "../eks/repo.ts";
import { parseEksToken, signedFor, TOKEN_PREFIX } from "../identity/eks-token.ts";
import { type AwsAuthMap, mapPrincipal, parseAwsAuth } from "../identity/principal-mapping.ts";
import { tokenShapeError } from "../identity/token-checks.ts";
import { log } from "../log.ts";
import type { Store } from "../store/store.ts";
import type { AwsAuth } from "./aws-auth.ts";

// The Kubernetes API's IAM authenticator: an `aws eks get-token` bearer token is checked as
// aws-iam-authenticator checks it (shape, then the signature recomputed with the key's secret for this
// cluster's name), then the principal is mapped to a user by the cluster's access settings and aws-auth.
// Cluster documents and aws-auth are read through short caches (EKS itself says mapping changes take a few
// seconds); a write to aws-auth through this process drops its entry at once.

const CACHE_MS = 2_000;

export interface IamAuthenticatorOptions {
  aws: AwsAuth;
  store: Store;
  doc: (cluster: string) => Promise<ClusterDoc | undefined>;
  /** The stack's own host:port values, where its STS is served. */
  ownHosts: () => ReadonlySet<string>;
}

export class IamAuthenticator {
  private awsAuth = new Map<string, { at: number; value: Promise<AwsAuthMap> }>();
  private docs = new Map<string, { at: number; value: Promise<ClusterDoc | undefined> }>();

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
    const own = new Set([...this.o.ownHosts(), new URL(req.url).host, req.headers.get("host") ?? ""]);
    const shape = tokenShapeError(token, own, Date.now());
    if (shape) throw refuse(shape);
    const t = parseEksToken(token);
    if (!t) throw refuse("input token was not properly formatted");
    const cred = await this.o.aws.lookup(t.accessKeyId);
    if (!cred.ok) throw refuse(`access key ${cred.reason}`);
    if ((cred.sessionToken ?? undefined) !== t.sessionToken) throw refuse("session token does not match");
    if (!(await signedFor(t, cred.secret, cluster))) throw refuse("signature does not match this cluster");
    const doc = await this.cached(this.docs, cluster, () => this.o.doc(cluster));
    if (!doc) throw refuse("no such cluster");
    const principal = { ...cred.principal, accessKeyId: t.accessKeyId };
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
}
