import { invalid, nameErrors, notSupported, required, validateObjectMeta } from "../kinds/meta.ts";
import type { FieldError, KubeObject } from "../types.ts";
import { COLUMN_TYPES, type CrdNames, type CrdSpec, crdNames } from "./index.ts";
import { jsonPathError } from "./jsonpath.ts";
import { structuralErrors } from "./schema.ts";

// The CRD object itself: the defaults, checks and status the apiextensions-apiserver applies to it.

/** The defaults the apiserver applies to a CustomResourceDefinition (SetDefaults_CustomResourceDefinition*). */
export function defaultCRD(crd: KubeObject): void {
  const spec = crd.spec as Partial<CrdSpec> | undefined;
  if (!spec || typeof spec !== "object") return;
  if (spec.names && typeof spec.names === "object" && spec.names.kind) {
    spec.names.singular ||= spec.names.kind.toLowerCase();
    spec.names.listKind ||= `${spec.names.kind}List`;
  }
  spec.conversion ??= { strategy: "None" };
  for (const v of spec.versions ?? []) {
    for (const c of v.additionalPrinterColumns ?? []) c.priority ??= 0;
  }
}

const DNS1035_DETAIL = (v: string) => nameErrors(v, "dns1035").join(",");

export function validateCRD(crd: KubeObject, old?: KubeObject): FieldError[] {
  const out: FieldError[] = [];
  const spec = (crd.spec ?? {}) as Partial<CrdSpec>;
  const names = (spec.names ?? {}) as Partial<CrdNames>;
  out.push(...validateObjectMeta(crd, { namespaced: false, nameRule: "subdomain" }));

  // metadata.name
  if (
    names.plural &&
    spec.group &&
    crd.metadata?.name &&
    crd.metadata.name !== `${names.plural}.${spec.group}`
  )
    out.push(invalid("metadata.name", crd.metadata.name, 'must be spec.names.plural+"."+spec.group'));

  // group
  if (!spec.group) out.push(required("spec.group"));
  else {
    for (const e of nameErrors(spec.group, "subdomain")) out.push(invalid("spec.group", spec.group, e));
    if (spec.group.split(".").length < 2)
      out.push(invalid("spec.group", spec.group, "should be a domain with at least one dot"));
  }

  // scope
  if (!spec.scope) out.push(required("spec.scope"));
  else if (spec.scope !== "Namespaced" && spec.scope !== "Cluster")
    out.push(notSupported("spec.scope", spec.scope, ["Cluster", "Namespaced"]));

  // names
  if (!names.plural) out.push(required("spec.names.plural"));
  else if (DNS1035_DETAIL(names.plural))
    out.push(invalid("spec.names.plural", names.plural, DNS1035_DETAIL(names.plural)));
  if (names.singular && DNS1035_DETAIL(names.singular))
    out.push(invalid("spec.names.singular", names.singular, DNS1035_DETAIL(names.singular)));
  if (!names.kind) out.push(required("spec.names.kind"));
  else if (DNS1035_DETAIL(names.kind.toLowerCase()))
    out.push(
      invalid(
        "spec.names.kind",
        names.kind,
        `may have mixed case, but should otherwise match: ${DNS1035_DETAIL(names.kind.toLowerCase())}`,
      ),
    );
  if (names.listKind && DNS1035_DETAIL(names.listKind.toLowerCase()))
    out.push(
      invalid(
        "spec.names.listKind",
        names.listKind,
        `may have mixed case, but should otherwise match: ${DNS1035_DETAIL(names.listKind.toLowerCase())}`,
      ),
    );
  if (names.kind && names.listKind && names.kind === names.listKind)
    out.push(invalid("spec.names.listKind", names.listKind, "kind and listKind may not be the same"));
  (names.shortNames ?? []).forEach((s, i) => {
    if (DNS1035_DETAIL(s)) out.push(invalid(`spec.names.shortNames[${i}]`, s, DNS1035_DETAIL(s)));
  });

  // versions
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  const seen = new Set<string>();
  let unique = true;
  versions.forEach((v, i) => {
    const p = `spec.versions[${i}]`;
    if (seen.has(v.name)) unique = false;
    seen.add(v.name);
    if (!v.name) out.push(required(`${p}.name`));
    else if (DNS1035_DETAIL(v.name)) out.push(invalid(`${p}.name`, v.name, DNS1035_DETAIL(v.name)));
    const s = v.schema?.openAPIV3Schema;
    if (!s) out.push(required(`${p}.schema.openAPIV3Schema`, "schemas are required"));
    else out.push(...structuralErrors(s, `${p}.schema.openAPIV3Schema`));
    const sc = v.subresources?.scale;
    if (sc) {
      const sp = `${p}.subresources.scale`;
      if (!sc.specReplicasPath) out.push(required(`${sp}.specReplicasPath`));
      else if (!sc.specReplicasPath.startsWith(".spec."))
        out.push(invalid(`${sp}.specReplicasPath`, sc.specReplicasPath, "should be a json path under .spec"));
      if (!sc.statusReplicasPath) out.push(required(`${sp}.statusReplicasPath`));
      else if (!sc.statusReplicasPath.startsWith(".status."))
        out.push(
          invalid(`${sp}.statusReplicasPath`, sc.statusReplicasPath, "should be a json path under .status"),
        );
      if (
        sc.labelSelectorPath &&
        !sc.labelSelectorPath.startsWith(".spec.") &&
        !sc.labelSelectorPath.startsWith(".status.")
      )
        out.push(
          invalid(
            `${sp}.labelSelectorPath`,
            sc.labelSelectorPath,
            "should be a json path under either .spec or .status",
          ),
        );
    }
    (v.additionalPrinterColumns ?? []).forEach((c, j) => {
      const cp = `${p}.additionalPrinterColumns[${j}]`;
      if (!c.name) out.push(required(`${cp}.name`));
      if (!c.type) out.push(required(`${cp}.type`));
      else if (!COLUMN_TYPES.includes(c.type)) out.push(notSupported(`${cp}.type`, c.type, COLUMN_TYPES));
      if (!c.jsonPath) out.push(required(`${cp}.JSONPath`));
      else {
        const e = jsonPathError(c.jsonPath);
        if (e) out.push(invalid(`${cp}.JSONPath`, c.jsonPath, `must be a simple json path: ${e}`));
      }
      if (
        c.format &&
        !["int32", "int64", "float", "double", "byte", "date", "date-time", "password"].includes(c.format)
      )
        out.push(
          notSupported(`${cp}.format`, c.format, [
            "byte",
            "date",
            "date-time",
            "double",
            "float",
            "int32",
            "int64",
            "password",
          ]),
        );
    });
    (v.selectableFields ?? []).forEach((f, j) => {
      if (!f.jsonPath) out.push(required(`${p}.selectableFields[${j}].jsonPath`));
    });
  });
  if (!unique)
    out.push(
      invalid(
        "spec.versions",
        versions.map((v) => v.name),
        "must contain unique version names",
      ),
    );
  if (versions.filter((v) => v.storage).length !== 1)
    out.push(
      invalid(
        "spec.versions",
        versions.map((v) => ({ name: v.name, served: v.served, storage: v.storage })),
        "must have exactly one version marked as storage version",
      ),
    );

  // updates
  if (old) {
    const o = (old.spec ?? {}) as Partial<CrdSpec>;
    if (o.group && spec.group !== o.group)
      out.push(invalid("spec.group", spec.group ?? "", "field is immutable"));
    if (o.scope && spec.scope !== o.scope)
      out.push(invalid("spec.scope", spec.scope ?? "", "field is immutable"));
  }
  return out;
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * The status the apiextensions controllers set once the CRD's names are accepted and it is established.
 * Keeps lastTransitionTime of conditions already True and merges storedVersions with the existing status.
 */
export function crdStatus(crd: KubeObject): Record<string, unknown> {
  const spec = crd.spec as CrdSpec;
  const prev = (crd.status ?? {}) as {
    conditions?: { type: string; status: string; lastTransitionTime?: string }[];
    storedVersions?: string[];
  };
  const ts = now();
  const since = (type: string) =>
    prev.conditions?.find((c) => c.type === type && c.status === "True")?.lastTransitionTime ?? ts;
  const n = crdNames(spec);
  const storage = spec.versions.filter((v) => v.storage).map((v) => v.name);
  const stored = [...(prev.storedVersions ?? [])];
  for (const s of storage) if (!stored.includes(s)) stored.push(s);
  return {
    conditions: [
      {
        type: "NamesAccepted",
        status: "True",
        reason: "NoConflicts",
        message: "no conflicts found",
        lastTransitionTime: since("NamesAccepted"),
      },
      {
        type: "Established",
        status: "True",
        reason: "InitialNamesAccepted",
        message: "the initial names have been accepted",
        lastTransitionTime: since("Established"),
      },
    ],
    acceptedNames: {
      plural: n.plural,
      singular: n.singular,
      ...(spec.names.shortNames?.length ? { shortNames: n.shortNames } : {}),
      kind: n.kind,
      listKind: n.listKind,
      ...(spec.names.categories?.length ? { categories: n.categories } : {}),
    },
    storedVersions: stored,
  };
}
