import fc from "fast-check";

// A seeded generator of malformed Kubernetes API requests, for the fuzz test in `npm test` (a short run) and
// bench/fuzz.ts (a long one). Requests stay inside one cluster and never name the canary namespace, so the
// canary objects must come out unchanged; everything else a client could send is fair game: odd paths,
// hostile query values, every content type, bodies of the wrong types, truncated, deeply nested, huge or in
// bad encodings.

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array;
}

export const CANARY_NAMESPACE = "canary";
const NAMESPACES = ["fuzz", "default", "kube-system", "nope", "x".repeat(70), "UPPER", "a b", "%2e%2e"];
const NAMES = ["a", "obj", "", "x".repeat(300), "..", "%00", "ü", "a/b", "-bad-", "web"];

const COLLECTIONS = [
  "/api/v1/namespaces/{ns}/configmaps",
  "/api/v1/namespaces/{ns}/pods",
  "/api/v1/namespaces/{ns}/services",
  "/api/v1/namespaces/{ns}/secrets",
  "/api/v1/namespaces/{ns}/serviceaccounts",
  "/api/v1/namespaces/{ns}/resourcequotas",
  "/api/v1/namespaces/{ns}/limitranges",
  "/api/v1/namespaces/{ns}/persistentvolumeclaims",
  "/api/v1/namespaces/{ns}/events",
  "/apis/apps/v1/namespaces/{ns}/deployments",
  "/apis/apps/v1/namespaces/{ns}/statefulsets",
  "/apis/apps/v1/namespaces/{ns}/daemonsets",
  "/apis/batch/v1/namespaces/{ns}/jobs",
  "/apis/batch/v1/namespaces/{ns}/cronjobs",
  "/apis/policy/v1/namespaces/{ns}/poddisruptionbudgets",
  "/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers",
  "/apis/networking.k8s.io/v1/namespaces/{ns}/ingresses",
  "/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/roles",
  "/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings",
  "/apis/coordination.k8s.io/v1/namespaces/{ns}/leases",
  "/api/v1/namespaces",
  "/api/v1/nodes",
  "/api/v1/persistentvolumes",
  "/apis/rbac.authorization.k8s.io/v1/clusterroles",
  "/apis/storage.k8s.io/v1/storageclasses",
  "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
  "/apis/scheduling.k8s.io/v1/priorityclasses",
];
const SUBRESOURCES = [
  "status",
  "scale",
  "log",
  "eviction",
  "binding",
  "token",
  "exec",
  "finalize",
  "nope",
  "",
];
const ODD_PATHS = [
  "/",
  "//api//v1",
  "/api/v1/namespaces/../../version",
  "/apis/%zz",
  "/api/v1/namespaces/fuzz/configmaps/a/b/c/d/e",
  "/openapi/v3/apis/apps/v1",
  "/openapi/v2",
  "/apis/nope/v9/things",
  "/api/v2",
  "/version/extra",
  "/healthz/etcd",
  "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
  "/apis/authentication.k8s.io/v1/selfsubjectreviews",
  "/apis/metrics.k8s.io/v1beta1/namespaces/fuzz/pods",
  `/api/v1/${"a/".repeat(200)}`,
];

const QUERY_KEYS = [
  "watch",
  "limit",
  "continue",
  "labelSelector",
  "fieldSelector",
  "resourceVersion",
  "resourceVersionMatch",
  "timeoutSeconds",
  "dryRun",
  "fieldManager",
  "fieldValidation",
  "propagationPolicy",
  "gracePeriodSeconds",
  "force",
  "allowWatchBookmarks",
  "sendInitialEvents",
  "pretty",
  "follow",
  "tailLines",
  "container",
];
const QUERY_VALUES = [
  "",
  "true",
  "True",
  "maybe",
  "-1",
  "0",
  "1e309",
  "99999999999999999999",
  "NaN",
  "a in (",
  "a,,b",
  "!",
  "metadata.name=",
  "spec.foo=bar",
  "x".repeat(5000),
  "%00",
  "All",
  "Orphan",
  "Foreground",
  "bogus",
  "Strict",
  "NotOlderThan",
  "Exact",
  "ü",
  "\u0000",
];
const CONTENT_TYPES = [
  "application/json",
  "application/yaml",
  "application/json-patch+json",
  "application/merge-patch+json",
  "application/strategic-merge-patch+json",
  "application/apply-patch+yaml",
  "application/vnd.kubernetes.protobuf",
  "text/plain",
  "application/json; charset=utf-16",
  "multipart/form-data; boundary=x",
  "",
  "application/json;;;",
];

/** Values of every JSON type, including the ones no field expects. */
const anyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.constantFrom(Number.MAX_SAFE_INTEGER, -1, 0, 1e300),
    fc.string({ maxLength: 20 }),
    fc.constantFrom("", "-", "Bad_Name", "a".repeat(300), "10.0.0.1", "ClusterIP", "Always"),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie("value"), { maxKeys: 3 }),
  ),
})).value;

const FIELD_PATHS = [
  ["metadata"],
  ["metadata", "name"],
  ["metadata", "labels"],
  ["metadata", "annotations"],
  ["metadata", "finalizers"],
  ["metadata", "ownerReferences"],
  ["metadata", "resourceVersion"],
  ["metadata", "namespace"],
  ["metadata", "deletionGracePeriodSeconds"],
  ["kind"],
  ["apiVersion"],
  ["data"],
  ["spec"],
  ["spec", "replicas"],
  ["spec", "selector"],
  ["spec", "template"],
  ["spec", "template", "spec", "containers"],
  ["spec", "containers"],
  ["spec", "containers", 0, "resources"],
  ["spec", "ports"],
  ["spec", "type"],
  ["spec", "clusterIP"],
  ["spec", "hard"],
  ["spec", "limits"],
  ["spec", "rules"],
  ["spec", "tolerations"],
  ["spec", "affinity"],
  ["spec", "volumes"],
  ["rules"],
  ["subjects"],
  ["roleRef"],
  ["status"],
  ["items"],
];

/** A plausible object the mutations start from. */
function seedObject(path: string, name: string): Record<string, unknown> {
  const kind = /\/([a-z]+)(?:\/[^/]*)?$/.exec(path.split("?")[0])?.[1] ?? "configmaps";
  return {
    apiVersion: "v1",
    kind: kind.replace(/s$/, "").replace(/^./, (c) => c.toUpperCase()),
    metadata: { name, labels: { app: "fuzz" } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "fuzz" } },
      template: {
        metadata: { labels: { app: "fuzz" } },
        spec: { containers: [{ name: "c", image: "nginx", resources: { requests: { cpu: "1" } } }] },
      },
      containers: [{ name: "c", image: "nginx" }],
      ports: [{ port: 80 }],
    },
    data: { a: "b" },
  };
}

function setPath(obj: Record<string, unknown>, path: (string | number)[], value: unknown): void {
  let cur: Record<string | number, unknown> = obj;
  for (const [i, key] of path.entries()) {
    if (i === path.length - 1) {
      cur[key] = value;
      return;
    }
    const next = cur[key];
    if (next === null || typeof next !== "object") cur[key] = typeof path[i + 1] === "number" ? [] : {};
    cur = cur[key] as Record<string | number, unknown>;
  }
}

const encoder = new TextEncoder();

function deepNest(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

const bodyOf = (path: string, name: string): fc.Arbitrary<Uint8Array | undefined> =>
  fc.oneof(
    fc.constant(undefined),
    // A plausible object with fields replaced by values of the wrong type.
    fc
      .array(fc.tuple(fc.constantFrom(...FIELD_PATHS), anyValue), { minLength: 1, maxLength: 4 })
      .map((muts) => {
        const obj = seedObject(path, name);
        for (const [p, v] of muts) setPath(obj, p, v);
        return encoder.encode(JSON.stringify(obj));
      }),
    // JSON patches and merge patches of any shape.
    fc.array(anyValue, { maxLength: 4 }).map((ops) => encoder.encode(JSON.stringify(ops))),
    anyValue.map((v) => encoder.encode(JSON.stringify(v) ?? "")),
    // Truncated, deeply nested, huge, bad encodings.
    fc.nat(200).map((n) => encoder.encode(JSON.stringify(seedObject(path, name)).slice(0, n))),
    fc.constantFrom(100, 1000, 100_000).map((d) => encoder.encode(deepNest(d))),
    fc.constantFrom(2, 4).map((mb) => encoder.encode(`{"data":{"a":"${"x".repeat(mb * 1024 * 1024)}"}}`)),
    fc.uint8Array({ maxLength: 64 }),
    fc.constant(new Uint8Array([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00])),
    fc.constant(encoder.encode("---\na: [\n")),
    fc.constant(encoder.encode("kind: ConfigMap\napiVersion: v1\nmetadata: {name: *x}\n")),
  );

export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    method: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"),
    template: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...COLLECTIONS) },
      { weight: 1, arbitrary: fc.constantFrom(...ODD_PATHS) },
    ),
    ns: fc.constantFrom(...NAMESPACES),
    name: fc.option(fc.constantFrom(...NAMES), { nil: undefined }),
    sub: fc.option(fc.constantFrom(...SUBRESOURCES), { nil: undefined }),
    query: fc.array(fc.tuple(fc.constantFrom(...QUERY_KEYS), fc.constantFrom(...QUERY_VALUES)), {
      maxLength: 4,
    }),
    contentType: fc.constantFrom(...CONTENT_TYPES),
    accept: fc.constantFrom(
      "application/json",
      "application/json;as=Table;v=v1;g=meta.k8s.io",
      "application/vnd.kubernetes.protobuf",
      "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
      "*/*",
      "text/html",
    ),
  })
  .chain((r) => {
    let path = r.template.replaceAll("{ns}", encodeURIComponent(r.ns));
    if (r.name !== undefined) path += `/${r.name}`;
    if (r.name !== undefined && r.sub !== undefined) path += `/${r.sub}`;
    const q = new URLSearchParams(r.query);
    // Watches end on their own; long ones are cut by the client anyway.
    if (q.has("watch")) q.set("timeoutSeconds", "1");
    const search = q.toString();
    const full = `${path}${search ? `?${search}` : ""}`;
    return bodyOf(full, r.name ?? "obj").map((body) => ({
      method: r.method,
      path: full,
      headers: { "content-type": r.contentType, accept: r.accept },
      ...(body !== undefined && r.method !== "GET" && r.method !== "HEAD" ? { body } : {}),
    }));
  });

export interface FuzzOutcome {
  sent: number;
  byStatus: Record<number, number>;
  failures: { req: FuzzRequest; status: number; body: string }[];
}

/** Sends `count` requests from `seed`, `concurrency` at a time, to the cluster API at `base`. */
export async function fuzz(
  base: string,
  token: string,
  seed: number,
  count: number,
  concurrency = 16,
): Promise<FuzzOutcome> {
  const reqs = fc.sample(fuzzRequest, { seed, numRuns: count });
  const out: FuzzOutcome = { sent: 0, byStatus: {}, failures: [] };
  let next = 0;
  const worker = async () => {
    while (next < reqs.length) {
      const req = reqs[next++];
      const ctl = new AbortController();
      const timer = setTimeout(() => ctl.abort(), 10_000);
      try {
        const res = await fetch(`${base}${req.path}`, {
          method: req.method,
          headers: { ...req.headers, authorization: `Bearer ${token}` },
          body: req.body,
          signal: ctl.signal,
        });
        const text = await res.text().catch(() => "");
        out.byStatus[res.status] = (out.byStatus[res.status] ?? 0) + 1;
        if (res.status >= 500) out.failures.push({ req, status: res.status, body: text.slice(0, 500) });
      } catch (e) {
        // An aborted long request (a watch, a follow) is the client giving up, not a server failure.
        if (!ctl.signal.aborted) out.failures.push({ req, status: 0, body: String(e) });
        else out.byStatus[-1] = (out.byStatus[-1] ?? 0) + 1;
      } finally {
        clearTimeout(timer);
        out.sent++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}
