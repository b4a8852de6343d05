import { stringify } from "yaml";
import type { ClusterConfigFile } from "./schema.ts";

// `eksctl create cluster --dry-run` prints the defaulted config through JSON → YAML (sigs.k8s.io/yaml), so
// keys come out sorted and lists sit at their parent key's indentation.

/** YAML of a defaulted config, as `eksctl create cluster --dry-run` prints it. */
export function dumpClusterConfig(cfg: ClusterConfigFile): string {
  const ordered = { apiVersion: "eksctl.io/v1alpha5", kind: "ClusterConfig", ...cfg };
  return stringify(ordered, {
    sortMapEntries: true,
    indentSeq: false,
    lineWidth: 0,
    aliasDuplicateObjects: false,
    // Read back as YAML 1.1 (load.ts), so `yes`, `on` and the like must come out quoted.
    version: "1.1",
  });
}
