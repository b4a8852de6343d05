import { createHash } from "node:crypto";
import { builtinKinds, findKind } from "./kinds/registry.ts";
import type { JsonObject, KindInfo } from "./types.ts";

// OpenAPI v3 (and a minimal v2) generated from the kinds' zod-derived schemas. kubectl explain reads the
// schemas; kubectl's field-validation probe looks for a `fieldValidation` parameter on each kind's PATCH
// operation, tagged with x-kubernetes-group-version-kind.

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** Component name the way the apiserver names definitions (reverse domain for custom resources). */
const BUILTIN_GROUPS = new Set(builtinKinds.map((k) => k.group));

/** Component name the way the apiserver names definitions (reverse domain for custom resources). */
export function definitionName(k: Pick<KindInfo, "group" | "version" | "kind">): string {
  if (k.group === "") return `io.k8s.api.core.${k.version}.${k.kind}`;
  if (k.group === "apiextensions.k8s.io")
    return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${k.version}.${k.kind}`;
  if (BUILTIN_GROUPS.has(k.group))
    return `io.k8s.api.${k.group.replace(/\.k8s\.io$/, "").replace(/\.authorization$/, "")}.${k.version}.${k.kind}`;
  return `${k.group.split(".").reverse().join(".")}.${k.version}.${k.kind}`;
}

const hashes = new WeakMap<KindInfo, string>();

/** Content hash, so kubectl's on-disk OpenAPI cache (keyed by URL) refreshes when a CRD schema changes. */
function docHash(kinds: KindInfo[]): string {
  const h = createHash("sha256");
  for (const k of kinds) {
    let one = hashes.get(k);
    if (!one) {
      one = createHash("sha256")
        .update(`${k.group}/${k.version}/${k.kind}/${k.plural}/${k.namespaced}`)
        .update(JSON.stringify(k.openapi))
        .digest("hex");
      hashes.set(k, one);
    }
    h.update(one);
  }
  return h.digest("hex").slice(0, 32).toUpperCase();
}

const OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

/**
 * Splits a kind's schema into its own component and the shared ones it references (`definitions`, as zod
 * emits them), pointing every $ref at `refBase` (`#/components/schemas/` or `#/definitions/`).
 */
function components(k: KindInfo, refBase: string): Record<string, JsonObject> {
  const { definitions, ...own } = structuredClone(k.openapi) as JsonObject & {
    definitions?: Record<string, JsonObject>;
  };
  const out: Record<string, JsonObject> = { ...(definitions ?? {}) };
  const props = own.properties as Record<string, JsonObject> | undefined;
  // Custom resources publish the standard ObjectMeta whatever their schema says about metadata, as the
  // apiserver does; kubectl explain follows the reference.
  if (props && !out[OBJECT_META]) {
    const builtinMeta = builtinObjectMeta();
    if (builtinMeta) {
      out[OBJECT_META] = builtinMeta;
      props.metadata = {
        description: "Standard object's metadata.",
        allOf: [{ $ref: `#/definitions/${OBJECT_META}` }],
      };
    }
  }
  out[definitionName(k)] = own;
  rewriteRefs(out, refBase);
  return out;
}

let objectMeta: JsonObject | undefined;

function builtinObjectMeta(): JsonObject | undefined {
  const defs = (findKind("", "v1", "configmaps")?.openapi.definitions ?? {}) as Record<string, JsonObject>;
  objectMeta ??= defs[OBJECT_META];
  return objectMeta ? structuredClone(objectMeta) : undefined;
}

function rewriteRefs(node: unknown, refBase: string): void {
  if (!node || typeof node !== "object") return;
  if (Array.isArray(node)) {
    for (const n of node) rewriteRefs(n, refBase);
    return;
  }
  const n = node as JsonObject;
  if (typeof n.$ref === "string") n.$ref = n.$ref.replace(/^#\/(definitions|components\/schemas)\//, refBase);
  for (const v of Object.values(n)) rewriteRefs(v, refBase);
}

export function openapiV3Index(kinds: KindInfo[], basePath: string): JsonObject {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  const gvs = new Map<string, KindInfo[]>();
  for (const k of kinds) {
    const p = gvPath(k.group, k.version);
    gvs.set(p, [...(gvs.get(p) ?? []), k]);
  }
  for (const [p, ks] of gvs)
    paths[p] = { serverRelativeURL: `${basePath}/openapi/v3/${p}?hash=${docHash(ks)}` };
  return { paths };
}

const common = (name: string, description: string) => ({
  name,
  in: "query",
  description,
  schema: { type: "string" },
  uniqueItems: true,
});
const writeParams = [
  common("dryRun", "When present, indicates that modifications should not be persisted. Valid value: All."),
  common("fieldManager", "A name associated with the actor or entity that is making these changes."),
  common(
    "fieldValidation",
    "How the server handles unknown or duplicate fields: Ignore, Warn (default) or Strict.",
  ),
];

function operations(k: KindInfo, ref: string): Record<string, JsonObject> {
  const gvk = { group: k.group, version: k.version, kind: k.kind };
  const base = k.namespaced
    ? `/${gvPath(k.group, k.version)}/namespaces/{namespace}/${k.plural}`
    : `/${gvPath(k.group, k.version)}/${k.plural}`;
  const body = { content: { "application/json": { schema: { $ref: ref } } } };
  const ok = { "200": { description: "OK", content: { "application/json": { schema: { $ref: ref } } } } };
  const op = (action: string, extra: JsonObject = {}): JsonObject => ({
    operationId: `${action}${k.kind}`,
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": gvk,
    responses: ok,
    ...extra,
  });
  const paths: Record<string, JsonObject> = {
    [base]: {
      get: op("list", {
        parameters: [
          common("labelSelector", "A selector to restrict the list of returned objects by their labels."),
          common("fieldSelector", "A selector to restrict the list of returned objects by their fields."),
          common("watch", "Watch for changes."),
        ],
      }),
      post: op("post", { parameters: writeParams, requestBody: body }),
      delete: op("deletecollection"),
    },
    [`${base}/{name}`]: {
      get: op("get"),
      put: op("put", { parameters: writeParams, requestBody: body }),
      patch: op("patch", {
        parameters: [...writeParams, common("force", 'Force is going to "force" Apply requests.')],
        requestBody: {
          content: {
            "application/merge-patch+json": { schema: { type: "object" } },
            "application/json-patch+json": { schema: { type: "object" } },
            "application/strategic-merge-patch+json": { schema: { type: "object" } },
            "application/apply-patch+yaml": { schema: { type: "object" } },
          },
        },
      }),
      delete: op("delete"),
    },
  };
  if (k.subresources.status)
    paths[`${base}/{name}/status`] = {
      get: op("get"),
      put: op("put", { parameters: writeParams, requestBody: body }),
      patch: op("patch", { parameters: writeParams }),
    };
  return paths;
}

export function openapiV3Document(kinds: KindInfo[], groupVersion: string): JsonObject | undefined {
  const inGv = kinds.filter((k) => (k.group ? `${k.group}/${k.version}` : k.version) === groupVersion);
  if (inGv.length === 0) return undefined;
  const schemas: Record<string, JsonObject> = {};
  let paths: Record<string, JsonObject> = {};
  for (const k of inGv) {
    Object.assign(schemas, components(k, "#/components/schemas/"));
    paths = { ...paths, ...operations(k, `#/components/schemas/${definitionName(k)}`) };
  }
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "v1.32.0-kumulus" },
    paths,
    components: { schemas },
  };
}

export function openapiV2Document(kinds: KindInfo[]): JsonObject {
  const definitions: Record<string, JsonObject> = {};
  for (const k of kinds) Object.assign(definitions, components(k, "#/definitions/"));
  return {
    swagger: "2.0",
    info: { title: "Kubernetes", version: "v1.32.0-kumulus" },
    paths: {},
    definitions,
  };
}
