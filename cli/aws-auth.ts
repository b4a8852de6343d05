import { parse, stringify } from "yaml";
import { z } from "zod";
import { CliError } from "./command.ts";
import type { Kube } from "./kube.ts";

// The aws-auth ConfigMap (kube-system/aws-auth), which eksctl's iamidentitymapping commands edit through the
// cluster's Kubernetes API: mapRoles/mapUsers are YAML lists inside string values, mapAccounts a list of ids.

const PATH = "/api/v1/namespaces/kube-system/configmaps/aws-auth";

const RoleMapping = z
  .object({ rolearn: z.string(), username: z.string().optional(), groups: z.array(z.string()).optional() })
  .passthrough();
const UserMapping = z
  .object({ userarn: z.string(), username: z.string().optional(), groups: z.array(z.string()).optional() })
  .passthrough();

export type RoleMapping = z.infer<typeof RoleMapping>;
export type UserMapping = z.infer<typeof UserMapping>;

export interface AuthMap {
  mapRoles: RoleMapping[];
  mapUsers: UserMapping[];
  mapAccounts: string[];
  /** The ConfigMap as read (undefined: it does not exist yet). */
  object?: { metadata?: { resourceVersion?: string }; data?: Record<string, string> };
}

export interface IdentityMapping {
  arn?: string;
  username?: string;
  groups?: string[];
  account?: string;
}

function list<T>(text: string | undefined, schema: z.ZodType<T>, key: string): T[] {
  if (!text?.trim()) return [];
  const parsed = z.array(schema).safeParse(parse(text));
  if (!parsed.success)
    throw new CliError(`unmarshalling ${key} in aws-auth ConfigMap: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export async function readAuthMap(kube: Kube): Promise<AuthMap> {
  const r = await kube.request("GET", PATH);
  if (r.status === 404) return { mapRoles: [], mapUsers: [], mapAccounts: [] };
  if (r.status !== 200)
    throw new CliError(`getting auth ConfigMap: ${r.body?.message ?? `HTTP ${r.status}`}`);
  const data: Record<string, string> = r.body?.data ?? {};
  return {
    mapRoles: list(data.mapRoles, RoleMapping, "mapRoles"),
    mapUsers: list(data.mapUsers, UserMapping, "mapUsers"),
    mapAccounts: list(data.mapAccounts, z.string(), "mapAccounts"),
    object: r.body,
  };
}

export async function writeAuthMap(kube: Kube, m: AuthMap): Promise<void> {
  const data: Record<string, string> = { ...(m.object?.data ?? {}) };
  data.mapRoles = m.mapRoles.length ? stringify(m.mapRoles) : "[]\n";
  data.mapUsers = m.mapUsers.length ? stringify(m.mapUsers) : "[]\n";
  if (m.mapAccounts.length || data.mapAccounts !== undefined)
    data.mapAccounts = m.mapAccounts.length ? stringify(m.mapAccounts) : "[]\n";
  const body = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: "aws-auth",
      namespace: "kube-system",
      resourceVersion: m.object?.metadata?.resourceVersion,
    },
    data,
  };
  const r = m.object
    ? await kube.request("PUT", PATH, body)
    : await kube.request("POST", "/api/v1/namespaces/kube-system/configmaps", body);
  if (r.status !== 200 && r.status !== 201) {
    throw new CliError(`updating auth ConfigMap: ${r.body?.message ?? `HTTP ${r.status}`}`);
  }
}

const isRole = (arn: string) => /:role\//.test(arn) || /:assumed-role\//.test(arn);

/** Adds a mapping; returns false when an identical one is already there (nothing to do). */
export function addMapping(m: AuthMap, id: IdentityMapping, noDuplicateArns = false): boolean {
  if (id.account) {
    if (m.mapAccounts.includes(id.account)) return false;
    m.mapAccounts.push(id.account);
    return true;
  }
  const arn = id.arn!;
  const same = (e: { username?: string; groups?: string[] }) =>
    (e.username ?? "") === (id.username ?? "") &&
    JSON.stringify(e.groups ?? []) === JSON.stringify(id.groups ?? []);
  if (isRole(arn)) {
    const existing = m.mapRoles.filter((r) => r.rolearn === arn);
    if (existing.some(same)) return false;
    if (existing.length && noDuplicateArns)
      throw new CliError(`ARN "${arn}" already exists in the auth ConfigMap`);
    m.mapRoles.push({
      rolearn: arn,
      ...(id.username ? { username: id.username } : {}),
      ...(id.groups?.length ? { groups: id.groups } : {}),
    });
  } else {
    const existing = m.mapUsers.filter((u) => u.userarn === arn);
    if (existing.some(same)) return false;
    if (existing.length && noDuplicateArns)
      throw new CliError(`ARN "${arn}" already exists in the auth ConfigMap`);
    m.mapUsers.push({
      userarn: arn,
      ...(id.username ? { username: id.username } : {}),
      ...(id.groups?.length ? { groups: id.groups } : {}),
    });
  }
  return true;
}

/** Removes the last mapping of `arn` (or all with `all`); returns the removed ones. */
export function removeMapping(
  m: AuthMap,
  arn: string,
  all: boolean,
): { username?: string; groups?: string[] }[] {
  const removed: { username?: string; groups?: string[] }[] = [];
  const take = <T extends { username?: string; groups?: string[] }>(
    xs: T[],
    match: (x: T) => boolean,
  ): T[] => {
    const idx = xs.map((x, i) => (match(x) ? i : -1)).filter((i) => i >= 0);
    const drop = new Set(all ? idx : idx.slice(-1));
    for (const i of drop) removed.push(xs[i]);
    return xs.filter((_, i) => !drop.has(i));
  };
  m.mapRoles = take(m.mapRoles, (r) => r.rolearn === arn);
  m.mapUsers = take(m.mapUsers, (u) => u.userarn === arn);
  return removed;
}
