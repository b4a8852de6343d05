import type { ServiceAccountIssuer } from "../apiserver/service-accounts.ts";
import type { ClusterDoc } from "../eks/repo.ts";
import type { VerifyWebIdentity } from "../identity/iam/query.ts";
import type { ClusterSigningKey, SigningKeys } from "../identity/sa-keys.ts";
import { unverifiedIssuer, verifySaToken } from "../identity/sa-token.ts";

// Each cluster's service-account issuer, `<endpoint>/oidc/id/<cluster id>` as DescribeCluster reports it,
// and its signing key. The edge serves the issuer's discovery documents; STS's AssumeRoleWithWebIdentity
// uses the same lookup to verify a projected token (IRSA) against the cluster that signed it.

const CACHE_MS = 5_000;

export interface ClusterIssuersOptions {
  doc: (name: string) => Promise<ClusterDoc | undefined>;
  list: () => Promise<ClusterDoc[]>;
  keys: SigningKeys;
  /** The stack's base URL when it knows it; otherwise the request's origin is used. */
  endpointBase: () => string | undefined;
  /** base64 CA bundle, for legacy token Secrets' ca.crt. */
  caData: string;
}

export const issuerPath = (id: string): string => `/oidc/id/${id}`;

export class ClusterIssuers implements ServiceAccountIssuer {
  private docs = new Map<string, { at: number; value: Promise<ClusterDoc | undefined> }>();
  private all?: { at: number; value: Promise<ClusterDoc[]> };

  constructor(private readonly o: ClusterIssuersOptions) {}

  private base(origin: string): string {
    return this.o.endpointBase() ?? origin;
  }

  private docOf(name: string): Promise<ClusterDoc | undefined> {
    const hit = this.docs.get(name);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
    const value = this.o.doc(name);
    this.docs.set(name, { at: Date.now(), value });
    value.catch(() => this.docs.delete(name));
    if (this.docs.size > 5_000) this.docs.clear();
    return value;
  }

  async forCluster(
    cluster: string,
    origin: string,
  ): Promise<{ issuer: string; key: ClusterSigningKey; caData?: string } | undefined> {
    const doc = await this.docOf(cluster);
    if (!doc || doc.status === "DELETING") return undefined;
    return {
      issuer: `${this.base(origin)}${issuerPath(doc.id)}`,
      key: await this.o.keys.forCluster(doc.id),
      ...(this.o.caData ? { caData: this.o.caData } : {}),
    };
  }

  async hasPodIdentity(cluster: string, namespace: string, serviceAccount: string): Promise<boolean> {
    const doc = await this.docOf(cluster);
    return Object.values(doc?.podIdentityAssociations ?? {}).some(
      (a) => a.namespace === namespace && a.serviceAccount === serviceAccount,
    );
  }

  /** The issuer whose path is `/oidc/id/<id>`, for discovery requests and web identity tokens. */
  async byId(id: string, origin: string): Promise<{ issuer: string; key: ClusterSigningKey } | undefined> {
    if (!this.all || Date.now() - this.all.at > CACHE_MS) this.all = { at: Date.now(), value: this.o.list() };
    const doc = (await this.all.value).find((d) => d.id === id && d.status !== "DELETING");
    if (!doc) return undefined;
    return { issuer: `${this.base(origin)}${issuerPath(doc.id)}`, key: await this.o.keys.forCluster(doc.id) };
  }

  /** AssumeRoleWithWebIdentity's check of a projected service-account token (any audience; trust decides). */
  verifyWebIdentity(origin: () => string): VerifyWebIdentity {
    return async (token) => {
      const iss = unverifiedIssuer(token);
      const id = iss ? /\/oidc\/id\/([0-9A-F]{32})$/.exec(iss)?.[1] : undefined;
      if (!iss || !id) return undefined;
      const found = await this.byId(id, origin());
      if (!found || found.issuer !== iss) return undefined;
      const aud = (JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()) as { aud?: unknown })
        .aud;
      const audiences = (Array.isArray(aud) ? aud : [aud]).filter((a): a is string => typeof a === "string");
      const claims = await verifySaToken(token, found.key, found.issuer, audiences, Date.now());
      if (!claims || claims.legacy) return undefined;
      return {
        issuer: iss.replace(/^https?:\/\//, ""),
        sub: `system:serviceaccount:${claims.namespace}:${claims.serviceAccount.name}`,
        aud: audiences.length === 1 ? audiences[0] : audiences,
      };
    };
  }
}
