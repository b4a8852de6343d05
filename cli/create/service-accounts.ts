import { CliError } from "../command.ts";
import type { Kube } from "../kube.ts";
import type { StepContext } from "./context.ts";

// IAM service accounts (IRSA): a ServiceAccount annotated with the role it assumes, created through the
// cluster's Kubernetes API as eksctl does once the role exists. Roles themselves are not Kumulus' business:
// the config names them (roleARN) or eksctl's naming gives one.

const ROLE_ANNOTATION = "eks.amazonaws.com/role-arn";
const MANAGED_BY = "app.kubernetes.io/managed-by";

export interface IamServiceAccount {
  namespace: string;
  name: string;
  /** The IRSA role; absent for a plain service account (pod identity). */
  roleArn?: string;
}

async function ensureNamespace(ctx: StepContext, kube: Kube, ns: string): Promise<void> {
  const r = await kube.request("GET", `/api/v1/namespaces/${encodeURIComponent(ns)}`);
  if (r.status === 200) return;
  const c = await kube.request("POST", "/api/v1/namespaces", {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: ns },
  });
  if (c.status !== 201 && c.status !== 200 && c.status !== 409) {
    throw new CliError(`creating namespace "${ns}": ${c.body?.message ?? `HTTP ${c.status}`}`);
  }
  if (c.status !== 409) ctx.log.info(`created namespace "${ns}"`);
}

/** The IRSA ServiceAccounts eksctl (or kumulus) made: labelled managed-by eksctl, with a role annotation. */
export async function listIamServiceAccounts(
  kube: Kube,
): Promise<(IamServiceAccount & { roleArn: string })[]> {
  const list = await kube.get<{
    items: { metadata: { name: string; namespace: string; annotations?: Record<string, string> } }[];
  }>(`/api/v1/serviceaccounts?labelSelector=${encodeURIComponent(`${MANAGED_BY}=eksctl`)}`);
  return list.items.flatMap((sa) => {
    const roleArn = sa.metadata.annotations?.[ROLE_ANNOTATION];
    return roleArn ? [{ namespace: sa.metadata.namespace, name: sa.metadata.name, roleArn }] : [];
  });
}

/** Deletes one service account; one already gone is fine. */
export async function deleteServiceAccount(kube: Kube, sa: IamServiceAccount): Promise<void> {
  const who = `${sa.namespace}/${sa.name}`;
  const r = await kube.request(
    "DELETE",
    `/api/v1/namespaces/${encodeURIComponent(sa.namespace)}/serviceaccounts/${encodeURIComponent(sa.name)}`,
  );
  if (r.status !== 200 && r.status !== 404)
    throw new CliError(`deleting serviceaccount "${who}": ${r.body?.message ?? `HTTP ${r.status}`}`);
}

export async function createServiceAccounts(
  ctx: StepContext,
  kube: Kube,
  accounts: IamServiceAccount[],
  overrideExisting = false,
): Promise<void> {
  for (const sa of accounts) {
    await ensureNamespace(ctx, kube, sa.namespace);
    const path = `/api/v1/namespaces/${encodeURIComponent(sa.namespace)}/serviceaccounts`;
    const who = `${sa.namespace}/${sa.name}`;
    const existing = await kube.request("GET", `${path}/${encodeURIComponent(sa.name)}`);
    if (existing.status === 200) {
      const current = existing.body?.metadata?.annotations?.[ROLE_ANNOTATION];
      if (current === sa.roleArn || !overrideExisting || !sa.roleArn) {
        ctx.log.info(`serviceaccount "${who}" already exists`);
        continue;
      }
      const body = existing.body;
      body.metadata.annotations = { ...(body.metadata.annotations ?? {}), [ROLE_ANNOTATION]: sa.roleArn };
      // Overridden, it is eksctl's from now on: the label is what `apply` knows its accounts by.
      body.metadata.labels = { ...(body.metadata.labels ?? {}), [MANAGED_BY]: "eksctl" };
      const u = await kube.request("PUT", `${path}/${encodeURIComponent(sa.name)}`, body);
      if (u.status !== 200)
        throw new CliError(`updating serviceaccount "${who}": ${u.body?.message ?? `HTTP ${u.status}`}`);
      ctx.log.info(`updated serviceaccount "${who}"`);
      continue;
    }
    const r = await kube.request("POST", path, {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: {
        name: sa.name,
        namespace: sa.namespace,
        ...(sa.roleArn ? { annotations: { [ROLE_ANNOTATION]: sa.roleArn } } : {}),
        labels: { [MANAGED_BY]: "eksctl" },
      },
    });
    if (r.status !== 201 && r.status !== 200) {
      throw new CliError(`creating serviceaccount "${who}": ${r.body?.message ?? `HTTP ${r.status}`}`);
    }
    ctx.log.info(`created serviceaccount "${who}"`);
  }
}
