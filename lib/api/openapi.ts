import { createHash } from "node:crypto";
import type { JsonObject, KindInfo } from "./types.ts";

// OpenAPI v3 (and a minimal v2) generated from the kinds' zod-derived schemas. kubectl explain reads the
// schemas; kubectl's field-validation probe looks for a `fieldValidation` parameter on each kind's PATCH
// operation, tagged with x-kubernetes-group-version-kind.

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** Component name the way the apiserver names definitions (reverse domain for custom resources). */
export function definitionName(k: KindInfo): string {
  if (k.group === "") return `io.k8s.api.core.${k.version}.${k.kind}`;
  if (k.group === "apiextensions.k8s.io")
    return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${k.version}.${k.kind}`;
  if (k.group.endsWith(".k8s.io") || !k.group.includes("."))
    return `io.k8s.api.${k.group.replace(/\.k8s\.io$/, "").replace(/\.authorization$/, "")}.${k.version}.${k.kind}`;
  return `${k.group.split(".").reverse().join(".")}.${k.version}.${k.kind}`;
}

function docHash(kinds: KindInfo[]): string {
  return createHash("sha256")
    .update(kinds.map((k) => `${k.group}/${k.version}/${k.kind}`).join(","))
    .digest("hex")
    .slice(0, 32)
    .toUpperCase();
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
    const name = definitionName(k);
    schemas[name] = k.openapi;
    paths = { ...paths, ...operations(k, `#/components/schemas/${name}`) };
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
  for (const k of kinds) definitions[definitionName(k)] = k.openapi;
  return {
    swagger: "2.0",
    info: { title: "Kubernetes", version: "v1.32.0-kumulus" },
    paths: {},
    definitions,
  };
}
