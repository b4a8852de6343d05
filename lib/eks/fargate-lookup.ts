import { log } from "../log.ts";
import { activeProfiles, chooseProfile } from "./fargate.ts";
import type { ClusterDoc, EksRepo } from "./repo.ts";

// The apiserver's view of the Fargate profiles (its admission step asks on every pod create): one read of
// the cluster record per cluster per CACHE_MS, shared by concurrent creates. The cache is shorter than the
// time a new profile reads CREATING (fargate.ts ACTIVATION_MS), so once DescribeFargateProfile says ACTIVE
// every process sees the profile. A failed read sends the pod to the default scheduler rather than failing it.

const CACHE_MS = 1_000;
const MAX_CLUSTERS = 10_000;

export function fargateProfileLookup(
  repo: Pick<EksRepo, "get">,
  now: () => number = Date.now,
): (cluster: string, namespace: string, labels: Record<string, string>) => Promise<string | undefined> {
  // Only the profiles are kept; whether each is ACTIVE yet is decided at lookup time.
  type Profiles = Pick<ClusterDoc, "name" | "fargateProfiles"> | undefined;
  const cache = new Map<string, { at: number; doc: Promise<Profiles> }>();
  const read = async (cluster: string): Promise<Profiles> => {
    const hit = await repo.get(cluster);
    if (!hit?.doc.fargateProfiles) return undefined;
    return { name: hit.doc.name, fargateProfiles: hit.doc.fargateProfiles };
  };
  return async (cluster, namespace, labels) => {
    let entry = cache.get(cluster);
    if (!entry || now() - entry.at > CACHE_MS) {
      if (cache.size > MAX_CLUSTERS) cache.clear();
      entry = { at: now(), doc: read(cluster) };
      cache.set(cluster, entry);
    }
    try {
      const got = await entry.doc;
      if (!got) return undefined;
      const active = activeProfiles(got, now());
      return active.length ? chooseProfile(active, namespace, labels) : undefined;
    } catch (e) {
      cache.delete(cluster);
      log("error", "fargate profile lookup failed", { cluster, error: String(e) });
      return undefined;
    }
  };
}
