import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { type AwsKey, adminKeyOf, eksToken, REGION, signedFetch } from "../auth.ts";
import { stackUrl, waitFor } from "../helpers.ts";

// The cross-tenant matrix. Tenant A owns cluster A: an IAM user with cluster-admin through an access entry
// and `eks:*` on A's ARN, and a cluster-admin service account inside A. Cluster B belongs to someone else.
// For every resource B's discovery publishes and every verb it supports, B's Kubernetes API must refuse each
// of A's credentials with a 401 or 403 Status, at /clusters/B/... and at the stack root (where the edge picks
// the cluster from the EKS token); every cluster-scoped EKS operation on B must be AccessDenied for A's key;
// and B's objects and EKS description must be exactly what they were before.

const URL_TIMEOUT_MS = 10_000;
const BATCH = 16;
const suffix = `${process.pid}-${randomBytes(3).toString("hex")}`;
/** A string only cluster B's objects carry: it must never appear in an answer to a tenant-A credential. */
const MARK = `xt-mark-${randomBytes(8).toString("hex")}`;
const ACCOUNT = "000000000000";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/kumulus-test`;
const ACCESS_POLICY = (name: string) => `arn:aws:eks::aws:cluster-access-policy/${name}`;
const clusterArn = (name: string) => `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${name}`;
const enc = encodeURIComponent;

// ---------------------------------------------------------------------------------------------------------
// HTTP plumbing

interface Answer {
  status: number;
  text: string;
  body: any;
  headers: Headers;
  /** Set when no complete answer came (network error or no end within URL_TIMEOUT_MS). */
  error?: string;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** fetch that always returns: the status and as much of the body as arrived before the deadline. */
async function send(
  url: string,
  init: { method: string; token?: string; body?: unknown; headers?: Record<string, string> },
): Promise<Answer> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), URL_TIMEOUT_MS);
  const headers: Record<string, string> = { accept: "application/json", ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined)
    headers["content-type"] ??= init.method === "PATCH" ? "application/merge-patch+json" : "application/json";
  let status = 0;
  let text = "";
  let resHeaders = new Headers();
  try {
    const res = await fetch(url, {
      method: init.method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: ctrl.signal,
    });
    status = res.status;
    resHeaders = res.headers;
    const reader = res.body?.getReader();
    const dec = new TextDecoder();
    if (reader)
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += dec.decode(value, { stream: true });
      }
    return { status, text, body: parse(text), headers: resHeaders };
  } catch (e) {
    return { status, text, body: parse(text), headers: resHeaders, error: String(e) };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `fn` over `items`, `n` at a time, keeping the order. */
async function inBatches<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

let url: string;
let admin: AwsKey;

/** An IAM query-protocol call as the stack admin, answered as JSON. */
async function iam(action: string, params: Record<string, string>): Promise<any> {
  const res = await signedFetch(
    `${url}/`,
    {
      method: "POST",
      body: new URLSearchParams({ Action: action, Version: "2010-05-08", ...params }).toString(),
      headers: {
        "content-type": "application/x-www-form-urlencoded; charset=utf-8",
        accept: "application/json",
      },
    },
    admin,
    "iam",
  );
  const text = await res.text();
  expect(res.status, `iam ${action}: ${text}`).toBe(200);
  return (JSON.parse(text) as Record<string, any>)[`${action}Response`][`${action}Result`];
}

/** An EKS API call, SigV4-signed with `key`. */
async function eks(method: string, path: string, body?: unknown, key: AwsKey = admin): Promise<Answer> {
  const res = await signedFetch(
    `${url}${path}`,
    {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
    },
    key,
  );
  const text = await res.text();
  return { status: res.status, text, body: parse(text), headers: res.headers };
}

async function eksOk(method: string, path: string, body?: unknown): Promise<any> {
  const a = await eks(method, path, body);
  expect(a.status, `${method} ${path}: ${a.text}`).toBe(200);
  return a.body;
}

const adminTokens = new Map<string, Promise<string>>();
/** A request to `cluster`'s Kubernetes API as the stack admin (the clusters' creator). */
async function asAdmin(cluster: string, method: string, path: string, body?: unknown): Promise<Answer> {
  if (!adminTokens.has(cluster)) adminTokens.set(cluster, eksToken(url, cluster, admin));
  const token = await adminTokens.get(cluster)!;
  return send(`${url}/clusters/${cluster}${path}`, { method, token, body });
}

async function adminOk(cluster: string, method: string, path: string, body?: unknown): Promise<any> {
  const a = await asAdmin(cluster, method, path, body);
  expect(a.status, `admin ${method} ${path} on ${cluster}: ${a.text}`).toBeLessThan(300);
  return a.body;
}

/** A cluster whose access entries count, created through the EKS API by the stack admin. */
async function createCluster(name: string): Promise<void> {
  await eksOk("POST", "/clusters", {
    name,
    version: "1.32",
    roleArn: ROLE_ARN,
    resourcesVpcConfig: {},
    accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" },
    nodes: 0,
  });
  await waitFor(
    async () => (await eks("GET", `/clusters/${name}`)).body?.cluster?.status === "ACTIVE",
    60_000,
    `cluster ${name} to be ACTIVE`,
  );
}

// ---------------------------------------------------------------------------------------------------------
// Discovery: every resource (and subresource) cluster B publishes, with its verbs

interface Resource {
  /** "v1" or "apps/v1". */
  gv: string;
  plural: string;
  subresource?: string;
  namespaced: boolean;
  kind: string;
  /** apiVersion of the body a write sends (a subresource's own group/version when discovery names one). */
  bodyApiVersion: string;
  verbs: string[];
}

const VERBS = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];

async function discover(cluster: string): Promise<Resource[]> {
  const core = await adminOk(cluster, "GET", "/api");
  const groups = await adminOk(cluster, "GET", "/apis");
  const gvs: string[] = [
    ...(core.versions as string[]),
    ...(groups.groups as { versions: { groupVersion: string }[] }[]).flatMap((g) =>
      g.versions.map((v) => v.groupVersion),
    ),
  ];
  const lists = await inBatches(gvs, BATCH, (gv) =>
    adminOk(cluster, "GET", gv.includes("/") ? `/apis/${gv}` : `/api/${gv}`),
  );
  return lists.flatMap((list, i) =>
    (list.resources as any[]).map((r): Resource => {
      const [plural, subresource] = (r.name as string).split("/");
      const bodyGroup = r.group ?? (gvs[i].includes("/") ? gvs[i].split("/")[0] : "");
      const bodyVersion = r.version ?? gvs[i].split("/").at(-1);
      return {
        gv: gvs[i],
        plural,
        subresource,
        namespaced: Boolean(r.namespaced),
        kind: r.kind,
        bodyApiVersion: bodyGroup ? `${bodyGroup}/${bodyVersion}` : bodyVersion,
        verbs: (r.verbs as string[]).filter((v) => VERBS.includes(v)),
      };
    }),
  );
}

const base = (r: Resource) => (r.gv.includes("/") ? `/apis/${r.gv}` : `/api/${r.gv}`);
const resourceName = (r: Resource) =>
  `${r.plural}${r.subresource ? `/${r.subresource}` : ""}${r.gv.includes("/") ? `.${r.gv}` : ""}`;

/** An object of a resource in cluster B that the requests name: a real one when B has any. */
interface Target {
  namespace?: string;
  name: string;
  /** The object as the admin read it (apiVersion and kind filled in), for PUT bodies. */
  object?: any;
  /** Whether only B has it (it carries MARK): A answering 2xx for its name would be a leak. */
  bOnly: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// The requests of the matrix

interface Probe {
  /** What is asked, e.g. `delete configmaps (namespaced): DELETE /api/v1/namespaces/x/configmaps/y`. */
  id: string;
  verb: string;
  method: string;
  path: string;
  body?: unknown;
  /** The path names an object only B has. */
  bOnly: boolean;
}

const PROBE_LABEL = { metadata: { labels: { "xt-cross-tenant": "probed" } } };

function collectionPath(r: Resource, namespace?: string): string {
  return `${base(r)}${namespace ? `/namespaces/${enc(namespace)}` : ""}/${r.plural}`;
}

function objectPath(r: Resource, t: Target): string {
  const p = `${collectionPath(r, r.namespaced ? t.namespace : undefined)}/${enc(t.name)}`;
  return r.subresource ? `${p}/${r.subresource}` : p;
}

/** A body for POST on a resource or subresource: what a client would send, or close to it. */
function createBody(r: Resource, t: Target): unknown {
  const metadata = {
    name: r.subresource ? t.name : `xt-probe-${suffix}`,
    ...(r.namespaced ? { namespace: t.namespace } : {}),
    labels: { "xt-cross-tenant": "probed" },
  };
  const b: Record<string, unknown> = { apiVersion: r.bodyApiVersion, kind: r.kind, metadata };
  if (r.kind === "Binding") b.target = { apiVersion: "v1", kind: "Node", name: "xt-node" };
  if (r.kind === "TokenRequest") b.spec = { expirationSeconds: 3600 };
  if (r.kind === "Scale") b.spec = { replicas: 0 };
  return b;
}

/** A body for PUT: the admin's copy of the object (its Scale for /scale), relabelled. */
function updateBody(r: Resource, t: Target): unknown {
  if (r.subresource === "scale")
    return {
      apiVersion: r.bodyApiVersion,
      kind: "Scale",
      metadata: { name: t.name, namespace: t.namespace },
      spec: { replicas: 0 },
    };
  const obj = t.object ?? {
    apiVersion: r.bodyApiVersion,
    kind: r.kind,
    metadata: { name: t.name, ...(r.namespaced ? { namespace: t.namespace } : {}) },
  };
  return {
    ...obj,
    metadata: { ...obj.metadata, labels: { ...obj.metadata?.labels, "xt-cross-tenant": "x" } },
  };
}

/** Every request of every verb a resource publishes. */
function probesOf(r: Resource, t: Target): Probe[] {
  const out: Probe[] = [];
  const add = (verb: string, method: string, path: string, body?: unknown, bOnly = t.bOnly, note = "") =>
    out.push({
      id: `${verb} ${resourceName(r)}${note}: ${method} ${path}`,
      verb,
      method,
      path,
      body,
      bOnly,
    });
  const obj = objectPath(r, t);
  const ns = r.namespaced ? t.namespace : undefined;
  const stream = r.subresource && ["exec", "attach", "portforward"].includes(r.subresource);
  const q = stream ? "?command=ls&stdout=true&ports=80" : "";
  for (const verb of r.verbs) {
    switch (verb) {
      case "get":
        add(verb, "GET", `${obj}${q}`);
        break;
      case "list":
        add(verb, "GET", collectionPath(r, ns), undefined, false);
        if (ns) add(verb, "GET", collectionPath(r), undefined, false, " (all namespaces)");
        break;
      case "watch":
        add(verb, "GET", `${collectionPath(r, ns)}?watch=true&timeoutSeconds=1`, undefined, false);
        if (ns)
          add(
            verb,
            "GET",
            `${collectionPath(r)}?watch=true&timeoutSeconds=1`,
            undefined,
            false,
            " (all namespaces)",
          );
        break;
      case "create":
        if (r.subresource) add(verb, "POST", `${obj}${q}`, createBody(r, t));
        else add(verb, "POST", collectionPath(r, ns), createBody(r, t), false);
        break;
      case "update":
        add(verb, "PUT", obj, updateBody(r, t));
        break;
      case "patch":
        add(verb, "PATCH", obj, r.subresource === "scale" ? { spec: { replicas: 0 } } : PROBE_LABEL);
        break;
      case "delete":
        add(verb, "DELETE", obj);
        break;
      case "deletecollection":
        add(verb, "DELETE", collectionPath(r, ns), undefined, false);
        if (ns) add(verb, "DELETE", collectionPath(r), undefined, false, " (all namespaces)");
        break;
    }
  }
  return out;
}

/** Paths outside the resource grammar that still belong to a cluster (discovery, OpenAPI, OIDC). */
function nonResourceProbes(resources: Resource[]): Probe[] {
  const gvs = [...new Set(resources.map((r) => r.gv))];
  const paths = [
    "/api",
    "/apis",
    ...gvs.map((gv) => (gv.includes("/") ? `/apis/${gv}` : `/api/${gv}`)),
    ...[...new Set(gvs.filter((gv) => gv.includes("/")).map((gv) => gv.split("/")[0]))].map(
      (g) => `/apis/${g}`,
    ),
    "/version",
    "/openapi/v2",
    "/openapi/v3",
    "/openapi/v3/api/v1",
    "/.well-known/openid-configuration",
    "/openid/v1/jwks",
  ];
  return paths.map((path) => ({ id: `get ${path}`, verb: "get", method: "GET", path, bOnly: false }));
}

/** The stack's own health endpoints: at the root they are the stack's, not a cluster's. */
const HEALTH_PROBES: Probe[] = ["/healthz", "/livez", "/readyz"].map((path) => ({
  id: `get ${path}`,
  verb: "get",
  method: "GET",
  path,
  bOnly: false,
}));

// ---------------------------------------------------------------------------------------------------------
// Cluster B's state, as its admin sees it

/**
 * Kinds whose objects change on their own (heartbeats, statuses, events): the snapshot keeps which of them
 * exist but not their resourceVersions, and of events only those the matrix's creates would have made.
 */
const NOISY = new Set(["events", "leases", "nodes", "pods", "endpoints", "endpointslices"]);
const EXISTS = "(exists)";

interface BState {
  /** resource → `namespace/name` → resourceVersion (EXISTS for the NOISY kinds), for every listable kind. */
  objects: Record<string, Record<string, string>>;
  /** The EKS API's view: DescribeCluster and every cluster-scoped list. */
  eks: Record<string, unknown>;
}

const topLevel = (rs: Resource[]) => rs.filter((r) => !r.subresource);
/** One version per group/resource: the objects are the same whichever version lists them. */
function listable(rs: Resource[]): Resource[] {
  const seen = new Set<string>();
  return topLevel(rs).filter((r) => {
    const k = `${r.gv.split("/").slice(0, -1).join("/")}|${r.plural}`;
    if (!r.verbs.includes("list") || r.gv.startsWith("metrics.k8s.io/") || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

async function stateOf(cluster: string, rs: Resource[]): Promise<BState> {
  const kinds = listable(rs);
  const lists = await inBatches(kinds, BATCH, (r) => adminOk(cluster, "GET", collectionPath(r)));
  const objects: BState["objects"] = {};
  lists.forEach((l, i) => {
    const r = kinds[i];
    const m: Record<string, string> = {};
    for (const o of l.items as any[]) {
      if (r.plural === "events" && !o.metadata.name.startsWith("xt-probe")) continue;
      m[`${o.metadata.namespace ?? ""}/${o.metadata.name}`] = NOISY.has(r.plural)
        ? EXISTS
        : o.metadata.resourceVersion;
    }
    objects[resourceName(r)] = m;
  });
  const c = `/clusters/${cluster}`;
  const entries = (await eksOk("GET", `${c}/access-entries`)).accessEntries as string[];
  const eksState: Record<string, unknown> = {
    describeCluster: (await eksOk("GET", c)).cluster,
    updates: await eksOk("GET", `${c}/updates`),
    addons: await eksOk("GET", `${c}/addons`),
    accessEntries: entries,
    podIdentityAssociations: await eksOk("GET", `${c}/pod-identity-associations`),
    tags: await eksOk("GET", `/tags/${enc(clusterArn(cluster))}`),
  };
  for (const e of entries) {
    eksState[`entry ${e}`] = (await eksOk("GET", `${c}/access-entries/${enc(e)}`)).accessEntry;
    eksState[`policies ${e}`] = await eksOk("GET", `${c}/access-entries/${enc(e)}/access-policies`);
  }
  return { objects, eks: eksState };
}

/** B's state once three reads a second apart agree (new objects set controllers off for a moment). */
async function settledState(cluster: string, rs: Resource[]): Promise<BState> {
  let last = JSON.stringify(await stateOf(cluster, rs));
  let same = 0;
  return waitFor(
    async () => {
      await new Promise((r) => setTimeout(r, 1_000));
      const now = await stateOf(cluster, rs);
      same = JSON.stringify(now) === last ? same + 1 : 0;
      last = JSON.stringify(now);
      return same >= 2 ? now : undefined;
    },
    30_000,
    `cluster ${cluster} to settle`,
  );
}

function diffStates(before: BState, after: BState): string[] {
  const out: string[] = [];
  for (const kind of new Set([...Object.keys(before.objects), ...Object.keys(after.objects)])) {
    const b = before.objects[kind] ?? {};
    const a = after.objects[kind] ?? {};
    for (const k of new Set([...Object.keys(b), ...Object.keys(a)])) {
      if (!(k in a)) out.push(`${kind} ${k} was deleted`);
      else if (!(k in b)) out.push(`${kind} ${k} was created`);
      else if (a[k] !== b[k]) out.push(`${kind} ${k} changed (resourceVersion ${b[k]} → ${a[k]})`);
    }
  }
  for (const k of new Set([...Object.keys(before.eks), ...Object.keys(after.eks)]))
    if (JSON.stringify(before.eks[k]) !== JSON.stringify(after.eks[k]))
      out.push(`EKS ${k}: ${JSON.stringify(before.eks[k])} → ${JSON.stringify(after.eks[k])}`);
  return out;
}

/** The largest resourceVersion among the objects that do not change by themselves. */
const maxRv = (s: BState) =>
  Math.max(
    ...Object.values(s.objects).flatMap((m) =>
      Object.values(m)
        .filter((rv) => rv !== EXISTS)
        .map(Number)
        // Answered kinds (componentstatuses) carry no resourceVersion.
        .filter((rv) => !Number.isNaN(rv)),
    ),
  );

// ---------------------------------------------------------------------------------------------------------
// Setup: clusters A and B, tenant A's three credentials, B's marked objects

let A: string;
let B: string;
let tenant: { arn: string; key: AwsKey };
/** The tenant's credentials, by the name assertion messages use. */
const tokens: Record<string, string> = {};
const TOKEN_A = "tenant-a's EKS token for cluster A";
const TOKEN_B = "tenant-a's EKS token for cluster B (no access entry there)";
const TOKEN_SA = "cluster A's cluster-admin service-account token";
let resources: Resource[];
let targets: Map<string, Target>;
/** uid → what it is, for every object of B that A does not also have. */
let bUids: Map<string, string>;
let before: BState;
let bArn: string;
const sent: Record<string, number> = {};

function leakIn(text: string): string | undefined {
  if (text.includes(MARK)) return "B's marker string";
  for (const [uid, what] of bUids) if (text.includes(uid)) return `the uid of B's ${what}`;
  return undefined;
}

function targetOf(r: Resource): Target {
  return targets.get(`${r.gv}|${r.plural}`) ?? { namespace: `xtb-${suffix}`, name: "xt-probe", bOnly: true };
}

/** Objects that exist only in B, each carrying MARK (the namespace name is B's alone too). */
function bMarkers(ns: string): [string, unknown][] {
  const labels = { "xt-mark": MARK };
  return [
    ["/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels } }],
    [
      `/api/v1/namespaces/${ns}/configmaps`,
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "xtb-config", labels }, data: { mark: MARK } },
    ],
    [
      `/api/v1/namespaces/${ns}/secrets`,
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "xtb-secret", labels },
        stringData: { mark: MARK },
      },
    ],
    [
      "/api/v1/namespaces/default/configmaps",
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `xtb-config-${suffix}`, labels } },
    ],
    [
      `/apis/apps/v1/namespaces/${ns}/deployments`,
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "xtb-deploy", labels },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: "xtb" } },
          template: {
            metadata: { labels: { app: "xtb" } },
            spec: { containers: [{ name: "c", image: "busybox" }] },
          },
        },
      },
    ],
    [
      "/apis/rbac.authorization.k8s.io/v1/clusterroles",
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: ns, labels },
        rules: [],
      },
    ],
  ];
}

beforeAll(async () => {
  url = stackUrl();
  admin = adminKeyOf(url);
  A = `xt-a-${suffix}`;
  B = `xt-b-${suffix}`;
  bArn = clusterArn(B);
  await Promise.all([createCluster(A), createCluster(B)]);

  // IAM user tenant-a: a key, cluster-admin on A through an access entry, eks:* on A's ARN only.
  const userName = `tenant-a-${suffix}`;
  const user = (await iam("CreateUser", { UserName: userName })).User;
  const k = (await iam("CreateAccessKey", { UserName: userName })).AccessKey;
  tenant = { arn: user.Arn, key: { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey } };
  await iam("PutUserPolicy", {
    UserName: userName,
    PolicyName: "cluster-a-only",
    PolicyDocument: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "eks:*", Resource: [clusterArn(A), `${clusterArn(A)}/*`] }],
    }),
  });
  await eksOk("POST", `/clusters/${A}/access-entries`, { principalArn: tenant.arn });
  await eksOk("POST", `/clusters/${A}/access-entries/${enc(tenant.arn)}/access-policies`, {
    policyArn: ACCESS_POLICY("AmazonEKSClusterAdminPolicy"),
    accessScope: { type: "cluster" },
  });

  // A service account with cluster-admin in A, and its token.
  await adminOk(A, "POST", "/api/v1/namespaces/default/serviceaccounts", {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "xt-admin" },
  });
  await adminOk(A, "POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: "xt-admin" },
    subjects: [{ kind: "ServiceAccount", name: "xt-admin", namespace: "default" }],
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
  });
  const tr = await adminOk(A, "POST", "/api/v1/namespaces/default/serviceaccounts/xt-admin/token", {
    apiVersion: "authentication.k8s.io/v1",
    kind: "TokenRequest",
    spec: { expirationSeconds: 3600 },
  });
  tokens[TOKEN_A] = await eksToken(url, A, tenant.key);
  tokens[TOKEN_B] = await eksToken(url, B, tenant.key);
  tokens[TOKEN_SA] = tr.status.token;
  await adminOk(A, "POST", "/api/v1/namespaces/default/configmaps", {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `xta-config-${suffix}` },
    data: { owner: "tenant-a" },
  });

  // B: objects only B has, an access entry and a Pod Identity association for the EKS operations to name.
  const ns = `xtb-${suffix}`;
  for (const [path, body] of bMarkers(ns)) await adminOk(B, "POST", path, body);
  await eksOk("POST", `/clusters/${B}/pod-identity-associations`, {
    namespace: ns,
    serviceAccount: "default",
    roleArn: `arn:aws:iam::${ACCOUNT}:role/xtb-pod-role`,
  });
  await eksOk("POST", `/tags/${enc(bArn)}`, { tags: { owner: "tenant-b" } });
  // The controllers have acted on them: the namespace's default service account, the deployment's status.
  await waitFor(
    async () =>
      (await asAdmin(B, "GET", `/api/v1/namespaces/${ns}/serviceaccounts/default`)).status === 200 &&
      (await asAdmin(B, "GET", `/apis/apps/v1/namespaces/${ns}/deployments/xtb-deploy`)).body?.status
        ?.observedGeneration === 1,
    30_000,
    "B's controllers to act on its new objects",
  );

  resources = await discover(B);

  // One target per resource: B's marked object when it has one, else the first B lists; and every uid B
  // holds that A does not, so an answer carrying one gives the leak away.
  targets = new Map();
  bUids = new Map();
  const aUids = new Set<string>();
  await inBatches(listable(resources), BATCH, async (r) => {
    const [inB, inA] = await Promise.all([
      asAdmin(B, "GET", collectionPath(r)),
      asAdmin(A, "GET", collectionPath(r)),
    ]);
    for (const o of (inA.body?.items ?? []) as any[]) if (o.metadata?.uid) aUids.add(o.metadata.uid);
    const items = (inB.body?.items ?? []) as any[];
    for (const o of items)
      if (o.metadata?.uid)
        bUids.set(o.metadata.uid, `${resourceName(r)} ${o.metadata.namespace ?? ""}/${o.metadata.name}`);
    const pick = items.find((o) => JSON.stringify(o).includes(MARK)) ?? items[0];
    if (!pick) return;
    const apiVersion = r.gv;
    for (const rr of resources.filter(
      (x) => x.plural === r.plural && x.gv.split("/")[0] === r.gv.split("/")[0],
    ))
      targets.set(`${rr.gv}|${rr.plural}`, {
        namespace: pick.metadata.namespace,
        name: pick.metadata.name,
        object: { apiVersion, kind: r.kind, ...pick },
        bOnly: JSON.stringify(pick).includes(MARK),
      });
  });
  for (const uid of aUids) bUids.delete(uid);

  // Tenant A's credentials do work on A (the access entry's caches take a moment).
  await waitFor(
    async () =>
      (await send(`${url}/clusters/${A}/api/v1/namespaces`, { method: "GET", token: tokens[TOKEN_A] }))
        .status === 200 &&
      (await send(`${url}/clusters/${A}/api/v1/namespaces`, { method: "GET", token: tokens[TOKEN_SA] }))
        .status === 200,
    30_000,
    "tenant-a's credentials to be honoured on A",
  );

  before = await settledState(B, resources);
}, 120_000);

/** The matrix's requests, all of them, under `prefix` ("" is the stack root). */
function allProbes(prefix: string): Probe[] {
  const probes = [
    ...resources.flatMap((r) => probesOf(r, targetOf(r))),
    ...nonResourceProbes(resources),
    ...(prefix ? HEALTH_PROBES : []),
  ];
  return probes.map((p) => ({ ...p, path: `${prefix}${p.path}` }));
}

/** Sends every probe with `token`; the problems of each answer `judge` finds, as readable lines. */
async function run(
  who: string,
  probes: Probe[],
  token: string,
  judge: (p: Probe, a: Answer) => string[],
): Promise<string[]> {
  sent[who] = (sent[who] ?? 0) + probes.length;
  const answers = await inBatches(probes, BATCH, (p) =>
    send(`${url}${p.path}`, { method: p.method, token, body: p.body }),
  );
  return probes.flatMap((p, i) => {
    const a = answers[i];
    const problems = judge(p, a);
    if (a.error) problems.push(`no complete answer (${a.error})`);
    const leak = leakIn(a.text);
    if (leak) problems.push(`the answer shows ${leak}`);
    return problems.length > 0
      ? [`[${who}] ${p.id} → ${a.status} (${problems.join("; ")}): ${a.text.slice(0, 240)}`]
      : [];
  });
}

/** The answer to a foreign credential: 401 or 403, as a Kubernetes Status. */
function refused(_p: Probe, a: Answer): string[] {
  const out: string[] = [];
  if (a.status !== 401 && a.status !== 403) out.push("expected 401 or 403");
  if (a.body?.kind !== "Status") out.push("the body is not a Status");
  else if (a.body.code !== a.status) out.push(`the Status says code ${a.body.code}`);
  return out;
}

function summary(failures: string[], total: number): string {
  return `${failures.length} of ${total} requests were not refused as they should be:\n${failures.slice(0, 60).join("\n")}`;
}

describe("cross-tenant matrix", () => {
  it("enumerates every resource, subresource and verb B publishes", () => {
    const names = new Set(resources.map(resourceName));
    for (const r of [
      "pods",
      "pods/log",
      "pods/eviction",
      "pods/binding",
      "pods/status",
      "serviceaccounts/token",
    ])
      expect(names, r).toContain(r);
    expect(names).toContain("deployments/scale.apps/v1");
    expect(names).toContain("clusterrolebindings.rbac.authorization.k8s.io/v1");
    expect(resources.length).toBeGreaterThan(40);
    // The marked objects are B's and only B's, so an answer showing one is a leak.
    expect(targets.get("v1|secrets")?.bOnly).toBe(true);
    expect(targets.get("v1|namespaces")?.bOnly).toBe(true);
    expect(bUids.size).toBeGreaterThan(20);
    expect(maxRv(before)).toBeGreaterThan(0);
    expect(Object.keys(before.objects.secrets)).toContain(`xtb-${suffix}/xtb-secret`);
    expect(Object.keys(before.objects["deployments.apps/v1"])).toContain(`xtb-${suffix}/xtb-deploy`);
  });

  it("aims every request at something real: B's own admin reads each target", async () => {
    // The control: the same reads with the admin's token for B answer what they should, so the refusals
    // below are refusals of real objects, and the leak check sees B's objects when it is shown them.
    const probes = allProbes(`/clusters/${B}`).filter((p) => p.method === "GET");
    const token = await eksToken(url, B, admin);
    const answers = await inBatches(probes, BATCH, (p) => send(`${url}${p.path}`, { method: "GET", token }));
    const wrong: string[] = [];
    let leaks = 0;
    probes.forEach((p, i) => {
      const a = answers[i];
      if (leakIn(a.text)) leaks++;
      // Kinds B has no object of are asked for by a made-up name; simulated pods have no logs or streams.
      const expected = /\/xt-probe(\/|$)/.test(p.path)
        ? 404
        : /\/(log|exec|attach|portforward)(\?|$)/.test(p.path)
          ? 400
          : 200;
      if (a.status !== expected)
        wrong.push(`${p.id} → ${a.status}, expected ${expected}: ${a.text.slice(0, 200)}`);
    });
    expect(wrong, wrong.join("\n")).toEqual([]);
    expect(leaks).toBeGreaterThan(probes.length / 4);
  });

  it.each([TOKEN_A, TOKEN_B, TOKEN_SA])("refuses %s every verb on every kind at /clusters/B", async (who) => {
    const probes = allProbes(`/clusters/${B}`);
    const failures = await run(who, probes, tokens[who], refused);
    expect(failures, summary(failures, probes.length)).toEqual([]);
  });

  it.each([TOKEN_B, TOKEN_SA])("refuses %s every verb on every kind at the stack root", async (who) => {
    const probes = allProbes("");
    const failures = await run(`${who}, at the root`, probes, tokens[who], refused);
    expect(failures, summary(failures, probes.length)).toEqual([]);
  });

  it("sends tenant-a's A token at the stack root to A only, never to B", async () => {
    // Reads of every kind (B's object names included), and patches and deletes naming objects only B has
    // (A has no such object: 404). Not PUT, which may create (RBAC kinds allow create-on-update).
    const reads = allProbes("").filter((p) => p.method === "GET");
    const writes = allProbes("").filter((p) => p.bOnly && ["patch", "delete"].includes(p.verb));
    let reached = 0;
    const failures = await run(`${TOKEN_A}, at the root`, [...reads, ...writes], tokens[TOKEN_A], (p, a) => {
      const out: string[] = [];
      if (a.status === 0 || a.status >= 500) out.push("expected an answer below 500");
      if (p.bOnly && a.status >= 200 && a.status < 300) out.push("names an object only B has, yet succeeded");
      if (a.status >= 200 && a.status < 300) reached++;
      return out;
    });
    expect(failures, summary(failures, reads.length + writes.length)).toEqual([]);
    // Most reads were answered (by A), so "nothing of B" is not the emptiness of refusals.
    expect(reached).toBeGreaterThan(reads.length / 2);
    // It does reach A: A's own objects, not B's.
    const own = await send(`${url}/api/v1/namespaces/default/configmaps`, {
      method: "GET",
      token: tokens[TOKEN_A],
    });
    expect(own.status).toBe(200);
    const names = (own.body.items as any[]).map((o) => o.metadata.name);
    expect(names).toContain(`xta-config-${suffix}`);
    expect(names).not.toContain(`xtb-config-${suffix}`);
  });

  it("does not let path or header tricks carry an A credential into B", async () => {
    const aSlashB = enc(`${A}/../${B}`);
    const cases: [string, string, Record<string, string>][] = [
      ["B's cluster name percent-encoded after A's", `/clusters/${aSlashB}/api/v1/namespaces`, {}],
      ["an encoded slash in the cluster segment", `/clusters/${enc(`${B}/`)}api/v1/namespaces`, {}],
      ["a ?cluster= query at the root", `/api/v1/namespaces?cluster=${B}`, {}],
      ["x-k8s-aws-id naming B at the root", `/api/v1/namespaces/xtb-${suffix}`, { "x-k8s-aws-id": B }],
      ["a second cluster prefix", `/clusters/${A}/clusters/${B}/api/v1/namespaces`, {}],
      ["B's secrets through A's prefix", `/clusters/${A}/api/v1/namespaces/xtb-${suffix}/secrets`, {}],
    ];
    const failures: string[] = [];
    for (const [name, path, headers] of cases)
      for (const who of [TOKEN_A, TOKEN_SA]) {
        const a = await send(`${url}${path}`, { method: "GET", token: tokens[who], headers });
        sent[`${who}, path tricks`] = (sent[`${who}, path tricks`] ?? 0) + 1;
        const leak = leakIn(a.text);
        if (a.status === 0 || a.status >= 500 || leak)
          failures.push(
            `[${who}] ${name}: GET ${path} → ${a.status}${leak ? ` shows ${leak}` : ""}: ${a.text.slice(0, 240)}`,
          );
      }
    expect(failures, failures.join("\n")).toEqual([]);
  });

  describe("the EKS API", () => {
    interface EksCall {
      op: string;
      method: string;
      path: string;
      body?: unknown;
    }

    /** Every cluster-scoped EKS operation on `c`, naming its real add-on, access entry and association. */
    async function eksCalls(c: string): Promise<EksCall[]> {
      const p = `/clusters/${c}`;
      const addon = ((await eksOk("GET", `${p}/addons`)).addons as string[])[0] ?? "vpc-cni";
      const entry = ((await eksOk("GET", `${p}/access-entries`)).accessEntries as string[])[0] ?? tenant.arn;
      const assoc =
        ((await eksOk("GET", `${p}/pod-identity-associations`)).associations as any[])[0]?.associationId ??
        "a-0000000000000000";
      const addonArn = (await eks("GET", `${p}/addons/${addon}`)).body?.addon?.addonArn as string | undefined;
      const entryArn = (await eks("GET", `${p}/access-entries/${enc(entry)}`)).body?.accessEntry
        ?.accessEntryArn as string | undefined;
      const e = `${p}/access-entries/${enc(entry)}`;
      const mine = `${p}/access-entries/${enc(tenant.arn)}`;
      const clusterAdmin = ACCESS_POLICY("AmazonEKSClusterAdminPolicy");
      const tags = (arn: string) => `/tags/${enc(arn)}`;
      const calls: EksCall[] = [
        { op: "DescribeCluster", method: "GET", path: p },
        {
          op: "UpdateClusterConfig",
          method: "POST",
          path: `${p}/update-config`,
          body: { logging: { clusterLogging: [{ types: ["api"], enabled: true }] } },
        },
        { op: "UpdateClusterVersion", method: "POST", path: `${p}/updates`, body: { version: "1.33" } },
        { op: "ListUpdates", method: "GET", path: `${p}/updates` },
        { op: "DescribeUpdate", method: "GET", path: `${p}/updates/00000000-0000-0000-0000-000000000000` },
        { op: "CreateAddon", method: "POST", path: `${p}/addons`, body: { addonName: "metrics-server" } },
        { op: "ListAddons", method: "GET", path: `${p}/addons` },
        { op: "DescribeAddon", method: "GET", path: `${p}/addons/${addon}` },
        { op: "UpdateAddon", method: "POST", path: `${p}/addons/${addon}/update`, body: {} },
        { op: "DeleteAddon", method: "DELETE", path: `${p}/addons/${addon}` },
        {
          op: "CreateAccessEntry",
          method: "POST",
          path: `${p}/access-entries`,
          body: { principalArn: tenant.arn },
        },
        { op: "ListAccessEntries", method: "GET", path: `${p}/access-entries` },
        { op: "DescribeAccessEntry", method: "GET", path: e },
        { op: "UpdateAccessEntry", method: "POST", path: e, body: { kubernetesGroups: ["system:masters"] } },
        {
          op: "AssociateAccessPolicy",
          method: "POST",
          path: `${e}/access-policies`,
          body: { policyArn: clusterAdmin, accessScope: { type: "cluster" } },
        },
        {
          op: "AssociateAccessPolicy (for tenant-a itself)",
          method: "POST",
          path: `${mine}/access-policies`,
          body: { policyArn: clusterAdmin, accessScope: { type: "cluster" } },
        },
        { op: "ListAssociatedAccessPolicies", method: "GET", path: `${e}/access-policies` },
        {
          op: "DisassociateAccessPolicy",
          method: "DELETE",
          path: `${e}/access-policies/${enc(clusterAdmin)}`,
        },
        { op: "DeleteAccessEntry", method: "DELETE", path: e },
        {
          op: "CreatePodIdentityAssociation",
          method: "POST",
          path: `${p}/pod-identity-associations`,
          body: {
            namespace: "default",
            serviceAccount: "default",
            roleArn: `arn:aws:iam::${ACCOUNT}:role/xt-role`,
          },
        },
        { op: "ListPodIdentityAssociations", method: "GET", path: `${p}/pod-identity-associations` },
        {
          op: "DescribePodIdentityAssociation",
          method: "GET",
          path: `${p}/pod-identity-associations/${assoc}`,
        },
        {
          op: "UpdatePodIdentityAssociation",
          method: "POST",
          path: `${p}/pod-identity-associations/${assoc}`,
          body: { roleArn: `arn:aws:iam::${ACCOUNT}:role/xt-role` },
        },
        {
          op: "DeletePodIdentityAssociation",
          method: "DELETE",
          path: `${p}/pod-identity-associations/${assoc}`,
        },
        {
          op: "TagResource",
          method: "POST",
          path: tags(clusterArn(c)),
          body: { tags: { owner: "tenant-a" } },
        },
        { op: "UntagResource", method: "DELETE", path: `${tags(clusterArn(c))}?tagKeys=owner` },
        { op: "ListTagsForResource", method: "GET", path: tags(clusterArn(c)) },
        {
          op: "CreateCluster (re-using the name)",
          method: "POST",
          path: "/clusters",
          body: { name: c, version: "1.32", roleArn: ROLE_ARN, resourcesVpcConfig: {} },
        },
        { op: "DeleteCluster", method: "DELETE", path: p },
      ];
      for (const [what, arn] of [
        ["add-on", addonArn],
        ["access entry", entryArn],
      ])
        if (arn)
          calls.push(
            {
              op: `TagResource (${what})`,
              method: "POST",
              path: tags(arn),
              body: { tags: { owner: "tenant-a" } },
            },
            { op: `ListTagsForResource (${what})`, method: "GET", path: tags(arn) },
          );
      return calls;
    }

    it("answers every cluster-scoped operation of tenant-a on B with 403 AccessDeniedException", async () => {
      const calls = await eksCalls(B);
      sent["tenant-a's access key, EKS API on B"] = calls.length;
      const failures: string[] = [];
      for (const call of calls) {
        const a = await eks(call.method, call.path, call.body, tenant.key);
        const type = a.headers.get("x-amzn-errortype") ?? "";
        if (a.status !== 403 || !type.startsWith("AccessDeniedException"))
          failures.push(
            `${call.op}: ${call.method} ${call.path} → ${a.status} ${type}: ${a.text.slice(0, 240)}`,
          );
      }
      expect(failures, failures.join("\n")).toEqual([]);
    });

    it("refuses tricks that name B inside A's ARN, and bearer tokens", async () => {
      const aSlashB = enc(`${A}/../${B}`);
      const cases: EksCall[] = [
        { op: "DescribeCluster A/../B", method: "GET", path: `/clusters/${aSlashB}` },
        { op: "ListAddons A/../B", method: "GET", path: `/clusters/${aSlashB}/addons` },
        { op: "DeleteCluster A/../B", method: "DELETE", path: `/clusters/${aSlashB}` },
        {
          op: "CreateCluster A/x (inside eks:* on A/*)",
          method: "POST",
          path: "/clusters",
          body: { name: `${A}/x`, version: "1.32", roleArn: ROLE_ARN, resourcesVpcConfig: {} },
        },
        {
          op: "TagResource cluster/A/../B",
          method: "POST",
          path: `/tags/${enc(`${clusterArn(A)}/../${B}`)}`,
          body: { tags: { owner: "tenant-a" } },
        },
      ];
      const failures: string[] = [];
      for (const call of cases) {
        const a = await eks(call.method, call.path, call.body, tenant.key);
        if (a.status < 400 || a.status >= 500)
          failures.push(`${call.op}: ${call.method} ${call.path} → ${a.status}: ${a.text.slice(0, 240)}`);
      }
      for (const who of [TOKEN_A, TOKEN_SA])
        for (const [method, path] of [
          ["GET", `/clusters/${B}`],
          ["DELETE", `/clusters/${B}`],
          ["GET", `/clusters/${B}/access-entries`],
        ]) {
          const a = await send(`${url}${path}`, { method, token: tokens[who] });
          if (a.status < 400 || a.status >= 500 || leakIn(a.text))
            failures.push(`[${who}] ${method} ${path} → ${a.status}: ${a.text.slice(0, 240)}`);
        }
      sent["tenant-a's access key, EKS API tricks"] = cases.length;
      sent["tenant-a's EKS token and A's service-account token, EKS API"] = 6;
      expect(failures, failures.join("\n")).toEqual([]);
    });

    it("serves the same operations on A, failing only for ordinary reasons", async () => {
      const p = `/clusters/${A}`;
      const reads: [string, string, number][] = [
        ["DescribeCluster", p, 200],
        ["ListAddons", `${p}/addons`, 200],
        ["ListUpdates", `${p}/updates`, 200],
        ["DescribeUpdate", `${p}/updates/00000000-0000-0000-0000-000000000000`, 404],
        ["DescribeAddon", `${p}/addons/no-such-addon`, 404],
        ["ListAccessEntries", `${p}/access-entries`, 200],
        ["DescribeAccessEntry", `${p}/access-entries/${enc(tenant.arn)}`, 200],
        ["ListPodIdentityAssociations", `${p}/pod-identity-associations`, 200],
        ["ListTagsForResource", `/tags/${enc(clusterArn(A))}`, 200],
      ];
      for (const [op, path, status] of reads) {
        const a = await eks("GET", path, undefined, tenant.key);
        expect(a.headers.get("x-amzn-errortype") ?? "", op).not.toMatch(/^AccessDenied/);
        expect(a.status, `${op} on A: ${a.text}`).toBe(status);
      }
      expect((await eks("GET", p, undefined, tenant.key)).body.cluster.name).toBe(A);
    });
  });

  it("leaves cluster B exactly as it was", async () => {
    const after = await stateOf(B, resources);
    const diff = diffStates(before, after);
    expect(diff, diff.join("\n")).toEqual([]);
    expect(maxRv(after)).toBe(maxRv(before));
    const total = Object.values(sent).reduce((a, b) => a + b, 0);
    const byVerb: Record<string, number> = {};
    for (const p of allProbes("")) byVerb[p.verb] = (byVerb[p.verb] ?? 0) + 1;
    console.log(
      `cross-tenant matrix: ${resources.length} resources of B, ${total} requests; per credential and place:\n${Object.entries(
        sent,
      )
        .map(([who, n]) => `  ${String(n).padStart(5)}  ${who}`)
        .join("\n")}\nrequests of one credential at the root, by verb: ${JSON.stringify(byVerb)}`,
    );
  });
});
