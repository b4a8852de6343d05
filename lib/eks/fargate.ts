import { EksError, type EksErrorCode, type EksErrorMembers } from "./errors.ts";
import { partitionOf } from "./ids.ts";
import type { ClusterDoc, EksContext, FargateProfileDoc } from "./repo.ts";
import { seconds } from "./shapes.ts";

// Fargate profiles (eks-fargate.md): which pods run on Fargate. A profile lives in the cluster document; it
// is immutable, so the only transitions are CREATING → ACTIVE (after a short simulated provisioning time, so
// the apiserver's cached view of the profiles is fresh by the time the profile reads ACTIVE) and DELETING →
// gone. Matching a pod against the profiles is pure and lives here, for the apiserver's admission step (wired
// by the entry point) and the Fargate scheduler alike.

export const MAX_PROFILES = 10;
export const MAX_SELECTORS = 5;
export const MAX_SELECTOR_LABELS = 5;
/** How long a new profile reads CREATING. Longer than the admission lookup's cache (fargate-lookup.ts). */
export const ACTIVATION_MS = 1_500;

/** The pod label naming the profile a pod asks for, and that the chosen profile is stamped as. */
export const FARGATE_PROFILE_LABEL = "eks.amazonaws.com/fargate-profile";
export const FARGATE_SCHEDULER = "fargate-scheduler";

export type ProfileStatus = FargateProfileDoc["status"];

/** EKS's exceptions for Fargate profiles also name the profile in the body. */
export class FargateError extends EksError {
  constructor(
    code: EksErrorCode,
    message: string,
    members: EksErrorMembers,
    readonly fargateProfileName: string,
  ) {
    super(code, message, members);
  }

  override body(): Record<string, unknown> {
    return { ...super.body(), fargateProfileName: this.fargateProfileName };
  }
}

export function fargateProfileArn(ctx: EksContext, cluster: string, name: string, uuid: string): string {
  return `arn:${partitionOf(ctx.region)}:eks:${ctx.region}:${ctx.account}:fargateprofile/${cluster}/${name}/${uuid}`;
}

export function profileNotFound(cluster: string, name: string): FargateError {
  return new FargateError(
    "ResourceNotFoundException",
    `No Fargate Profile found with name: ${name}.`,
    { clusterName: cluster },
    name,
  );
}

export function profileOf(doc: ClusterDoc, name: string): FargateProfileDoc {
  const p = doc.fargateProfiles?.[name];
  if (!p) throw profileNotFound(doc.name, name);
  return p;
}

/** The status as of `now`: a CREATING profile is ACTIVE once its provisioning time has passed. */
export function profileStatus(p: FargateProfileDoc, now: number): ProfileStatus {
  return p.status === "CREATING" && now >= p.activeAt ? "ACTIVE" : p.status;
}

/** The JSON DescribeFargateProfile returns. */
export function profileOut(cluster: string, p: FargateProfileDoc, now: number): Record<string, unknown> {
  return {
    fargateProfileName: p.fargateProfileName,
    fargateProfileArn: p.arn,
    clusterName: cluster,
    createdAt: seconds(p.createdAt),
    podExecutionRoleArn: p.podExecutionRoleArn,
    subnets: [...p.subnets],
    selectors: p.selectors.map((s) => ({ namespace: s.namespace, labels: { ...s.labels } })),
    status: profileStatus(p, now),
    tags: { ...p.tags },
    health: { issues: [] },
  };
}

/** `*` is any run of characters and `?` exactly one; nothing else is special (EKS has no regex). */
export function wildcardMatch(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`, "s").test(value);
}

export type Selector = FargateProfileDoc["selectors"][number];

/** A pod matches a selector in its namespace when it has every one of the selector's labels. */
export function selectorMatches(s: Selector, namespace: string, labels: Record<string, string>): boolean {
  if (!wildcardMatch(s.namespace, namespace)) return false;
  return Object.entries(s.labels).every(([k, v]) =>
    Object.entries(labels).some(([pk, pv]) => wildcardMatch(k, pk) && wildcardMatch(v, pv)),
  );
}

export interface ProfileView {
  name: string;
  selectors: readonly Selector[];
}

/**
 * The profile a new pod runs under, if any. A pod naming a profile in its `eks.amazonaws.com/fargate-profile`
 * label gets that one if it matches one of its selectors (and no other); otherwise the first matching profile
 * in alphanumeric order of names wins, as EKS documents.
 */
export function chooseProfile(
  profiles: readonly ProfileView[],
  namespace: string,
  labels: Record<string, string>,
): string | undefined {
  const matches = (p: ProfileView) => p.selectors.some((s) => selectorMatches(s, namespace, labels));
  const asked = labels[FARGATE_PROFILE_LABEL];
  if (asked !== undefined) {
    const p = profiles.find((x) => x.name === asked);
    return p && matches(p) ? p.name : undefined;
  }
  return [...profiles].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).find(matches)?.name;
}

/** The cluster's profiles that take pods now (ACTIVE). */
export function activeProfiles(doc: Pick<ClusterDoc, "fargateProfiles">, now: number): ProfileView[] {
  return Object.values(doc.fargateProfiles ?? {})
    .filter((p) => profileStatus(p, now) === "ACTIVE")
    .map((p) => ({ name: p.fargateProfileName, selectors: p.selectors }));
}
