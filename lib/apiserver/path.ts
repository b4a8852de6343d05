// Parses the Kubernetes REST path grammar below /clusters/{cluster}.

export type ApiPath =
  | { type: "version" }
  | { type: "health"; check: string }
  | { type: "api" }
  | { type: "apis" }
  | { type: "group"; group: string }
  | { type: "groupVersion"; group: string; version: string }
  | { type: "openapi"; version: "v2" | "v3"; groupVersion?: string }
  | ({ type: "resource" } & ResourcePath);

export interface ResourcePath {
  group: string;
  version: string;
  plural: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export function parseApiPath(path: string): ApiPath | undefined {
  let segs: string[];
  try {
    segs = path
      .split("/")
      .filter((s) => s.length > 0)
      .map(decodeURIComponent);
  } catch {
    // A malformed percent-escape names nothing this server serves.
    return undefined;
  }
  const [head, ...rest] = segs;
  switch (head) {
    case "version":
      return rest.length === 0 ? { type: "version" } : undefined;
    case "healthz":
    case "readyz":
    case "livez":
      return { type: "health", check: head };
    case "openapi":
      if (rest[0] === "v2" && rest.length === 1) return { type: "openapi", version: "v2" };
      if (rest[0] === "v3")
        return { type: "openapi", version: "v3", groupVersion: rest.slice(1).join("/") || undefined };
      return undefined;
    case "api":
      if (rest.length === 0) return { type: "api" };
      if (rest.length === 1) return { type: "groupVersion", group: "", version: rest[0] };
      return resourcePath("", rest[0], rest.slice(1));
    case "apis":
      if (rest.length === 0) return { type: "apis" };
      if (rest.length === 1) return { type: "group", group: rest[0] };
      if (rest.length === 2) return { type: "groupVersion", group: rest[0], version: rest[1] };
      return resourcePath(rest[0], rest[1], rest.slice(2));
    default:
      return undefined;
  }
}

function resourcePath(group: string, version: string, rest: string[]): ApiPath | undefined {
  if (rest.length === 0 || rest.length > 5) return undefined;
  // The namespace object's own subresources look like a namespaced resource path: namespaces/{name}/status.
  const nsSubresource =
    group === "" &&
    rest[0] === "namespaces" &&
    rest.length === 3 &&
    (rest[2] === "status" || rest[2] === "finalize");
  if (rest[0] === "namespaces" && rest.length >= 3 && !nsSubresource) {
    const [, namespace, plural, name, subresource] = rest;
    return { type: "resource", group, version, plural, namespace, name, subresource };
  }
  if (rest.length > 3) return undefined;
  const [plural, name, subresource] = rest;
  return { type: "resource", group, version, plural, name, subresource };
}
