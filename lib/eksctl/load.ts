import { parseDocument } from "yaml";
import {
  applyClusterDefaults,
  applyManagedDefaults,
  applyNodeGroupDefaults,
  normaliseAmiFamily,
} from "./defaults.ts";
import { decodeMessage, EksctlError, fail } from "./errors.ts";
import { type ClusterConfig, type ClusterConfigFile, ClusterConfigFileSchema } from "./schema.ts";
import { validateCluster, validateRaw } from "./validate-cluster.ts";
import { validateManaged, validateUnmanaged } from "./validate-nodegroups.ts";
import { resolveVersion, type VersionOptions } from "./versions.ts";

// Loading a ClusterConfig in eksctl's order (eksctl-schema.md §0): strict decode, apiVersion/kind, metadata,
// version resolution, then defaults and validation of the cluster and of each node group.

export interface LoadOptions extends VersionOptions {
  /** The file name used in `loading config file "<file>": …`; without one the text came from stdin, "-". */
  file?: string;
  /** --region / AWS_REGION, used when the file has no metadata.region. */
  region?: string;
  /** The region's zones in order (EC2's list); eksctl picks the cluster's zones from it. Default `<region>a/b/c`. */
  regionZones?: readonly string[];
}

const NAME_CHARS = /[^a-zA-Z0-9-]+/;

/** YAML (or JSON, which is YAML) → the file's object, with sigs.k8s.io/yaml's errors. */
export function decodeClusterConfig(text: string, file = "-"): ClusterConfigFile {
  const wrap = (msg: string) => fail(`loading config file "${file}": ${msg}`);
  // sigs.k8s.io/yaml reads YAML 1.1 (go-yaml v2): `yes`, `no`, `on` and `off` are booleans there.
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, version: "1.1" });
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0]?.line ?? 1;
    wrap(`error converting YAML to JSON: yaml: line ${line}: ${err.message.split("\n")[0]}`);
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) wrap("Object 'Kind' is missing in 'null'");
  if (typeof value !== "object" || Array.isArray(value))
    wrap(
      `error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${Array.isArray(value) ? "array" : typeof value} into Go value of type v1alpha5.ClusterConfig`,
    );
  const parsed = ClusterConfigFileSchema.safeParse(value);
  if (!parsed.success) wrap(decodeMessage(parsed.error, value));
  const cfg = parsed.data!;
  if (!cfg.kind) wrap(`Object 'Kind' is missing in '${JSON.stringify(value)}'`);
  if (cfg.apiVersion !== "eksctl.io/v1alpha5" || cfg.kind !== "ClusterConfig")
    wrap(
      `no kind "${cfg.kind}" is registered for version "${cfg.apiVersion ?? ""}" in scheme "pkg/runtime/scheme.go:100"`,
    );
  return cfg;
}

/** Defaults and validation of a decoded config, in place. */
export function completeClusterConfig(cfg: ClusterConfigFile, opts: LoadOptions = {}): ClusterConfig {
  if (!cfg.metadata) fail("metadata must be set");
  const meta = cfg.metadata!;
  if (!meta.name) fail("metadata.name must be set");
  if (!meta.region) {
    if (!opts.region) fail("metadata.region must be set");
    meta.region = opts.region;
  }
  if (NAME_CHARS.test(meta.name!))
    fail(
      `validation for ${meta.name} failed, name must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`,
    );
  meta.version = resolveVersion(meta.version, opts);
  validateRaw(cfg);
  applyClusterDefaults(cfg, opts.regionZones);
  validateCluster(cfg);
  for (const [i, ng] of (cfg.nodeGroups ?? []).entries()) {
    if (!ng) continue;
    if (ng.amiFamily) ng.amiFamily = normaliseAmiFamily(ng.amiFamily);
    validateUnmanaged(cfg, i, ng);
    applyNodeGroupDefaults(cfg, ng);
  }
  for (const [i, ng] of (cfg.managedNodeGroups ?? []).entries()) {
    if (!ng) continue;
    applyManagedDefaults(cfg, ng);
    validateManaged(cfg, i, ng);
  }
  // metadata, its name, region and version were all set above.
  return cfg as ClusterConfig;
}

/** Parses a ClusterConfig file (YAML or JSON) strictly, applies eksctl's defaults and validates it. Throws EksctlError. */
export function loadClusterConfig(text: string, opts: LoadOptions = {}): ClusterConfig {
  try {
    return completeClusterConfig(decodeClusterConfig(text, opts.file ?? "-"), opts);
  } catch (e) {
    if (e instanceof EksctlError) throw e;
    throw new EksctlError(
      `loading config file "${opts.file ?? "-"}": ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}
