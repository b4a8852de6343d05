import { parseEksToken, signedFor, tokenCurrent } from "./eks-token.ts";

// Which cluster a prefix-less request is for. client-go sends some requests (`kubectl get --raw /api/...`)
// to the server's root, without the kubeconfig's /clusters/NAME path; the request's EKS token then names the
// cluster, provable only by checking its signature for each candidate name. Results are cached per token for
// its lifetime, so a kubectl session pays the search once.

/** The secret of an access key this stack issued, or undefined. */
export type SecretLookup = (accessKeyId: string) => Promise<string | undefined>;

const MAX_CACHED = 10_000;

export class TokenClusterResolver {
  private cache = new Map<string, { cluster: string; until: number }>();

  constructor(
    private readonly secrets: SecretLookup,
    private readonly clusterNames: () => Promise<string[]>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cluster an `Authorization: Bearer k8s-aws-v1.…` header was signed for, if any. */
  async resolve(authorization: string | null | undefined): Promise<string | undefined> {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
    if (!m) return undefined;
    const token = m[1];
    const now = this.now();
    const hit = this.cache.get(token);
    if (hit && hit.until > now) return hit.cluster;
    const t = parseEksToken(token);
    if (!t || !tokenCurrent(t, now)) return undefined;
    const secret = await this.secrets(t.accessKeyId);
    if (!secret) return undefined;
    for (const name of await this.clusterNames()) {
      if (!(await signedFor(t, secret, name))) continue;
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(token, { cluster: name, until: t.date.getTime() + 15 * 60_000 });
      return name;
    }
    return undefined;
  }
}
