// The eksctl ClusterConfig (eksctl.io/v1alpha5): parsing, defaults, validation and translation into EKS API
// requests. Pure: text in, values out; the CLI does the I/O. This file is the room's public interface.
import type {
  AssociateAccessPolicyRequest as AssociateAccessPolicyInput,
  CreateAccessEntryRequest as CreateAccessEntryInput,
  CreateAddonRequest as CreateAddonInput,
  CreateClusterRequest as CreateClusterInput,
  CreateFargateProfileRequest as CreateFargateProfileInput,
  CreateNodegroupRequest as CreateNodegroupInput,
  CreatePodIdentityAssociationRequest as CreatePodIdentityAssociationInput,
} from "@aws-sdk/client-eks";

export { DEFAULT_INSTANCE_TYPE, DEFAULT_NODE_COUNT, DEFAULT_VERSION } from "./defaults.ts";
export { dumpClusterConfig } from "./dump.ts";
export { EksctlError } from "./errors.ts";
export {
  type CreateClusterFlags,
  configFromFlags,
  generatedClusterName,
  generatedNodegroupName,
} from "./flags.ts";
export { type LoadOptions, loadClusterConfig } from "./load.ts";
export { type ClusterRequests, clusterRequests, DEFAULT_ADDONS, type RequestOptions } from "./requests.ts";
export { amiTypeFor } from "./requests-nodegroups.ts";
export {
  type ClusterConfig,
  type ClusterConfigFile,
  ClusterConfigFileSchema,
  ClusterConfigSchema,
  type FargateProfile,
  type ManagedNodeGroup,
  type NodeGroup,
} from "./schema.ts";
export { type UnsupportedOptions, unsupportedFeatures } from "./unsupported.ts";
export { resolveVersion, SUPPORTED_VERSIONS } from "./versions.ts";
export type {
  AssociateAccessPolicyInput,
  CreateAccessEntryInput,
  CreateAddonInput,
  CreateClusterInput,
  CreateFargateProfileInput,
  CreateNodegroupInput,
  CreatePodIdentityAssociationInput,
};
