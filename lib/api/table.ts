import { ageColumn, nameColumn } from "./kinds/columns.ts";
import type { KindInfo, KubeObject } from "./types.ts";

// meta.k8s.io/v1 Table, the server-side printing `kubectl get` asks for.

export interface TableOptions {
  includeObject?: "None" | "Object" | "Metadata";
  resourceVersion?: string;
  continue?: string;
  now?: Date;
}

export function toTable(
  kind: KindInfo,
  objs: KubeObject[],
  opts: TableOptions = {},
): Record<string, unknown> {
  const now = opts.now ?? new Date();
  const metadata: Record<string, string> = {};
  if (opts.resourceVersion) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  const include = opts.includeObject ?? "Metadata";
  // Kinds without printer columns (CRDs without additionalPrinterColumns) print NAME and AGE.
  const columns = kind.columns.length ? kind.columns : [nameColumn, ageColumn];
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata,
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? "",
      description: c.description,
      priority: c.priority,
    })),
    rows: objs.map((o) => {
      const row: Record<string, unknown> = {
        cells: columns.map((c) => {
          try {
            const v = c.cell(o, now);
            return v === undefined || v === null ? (c.type === "integer" || c.type === "number" ? 0 : "") : v;
          } catch {
            return "";
          }
        }),
      };
      if (include === "Object") row.object = o;
      else if (include === "Metadata")
        row.object = { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata };
      return row;
    }),
  };
}
