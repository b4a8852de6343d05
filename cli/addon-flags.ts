import type { FlagSpec } from "./flags.ts";

export const addonFlags: FlagSpec[] = [
  { name: "cluster", short: "c", type: "string", usage: "EKS cluster name" },
  { name: "name", type: "string", usage: "Add-on name" },
  {
    name: "version",
    type: "string",
    usage:
      'Add-on version. Use `eksctl utils describe-addon-versions` to discover a version or set to "latest"',
  },
  { name: "service-account-role-arn", type: "string", usage: "Add-on serviceAccountRoleARN" },
  { name: "attach-policy-arn", type: "stringSlice", usage: "ARN of the policies to attach" },
  {
    name: "force",
    type: "bool",
    usage: "Force migrates an existing self-managed add-on to an EKS managed add-on",
  },
  {
    name: "configuration-values",
    type: "string",
    usage: "Add-on custom configuration values (JSON or YAML)",
  },
  { name: "namespace", type: "string", usage: "Namespace the add-on is installed in (create only)" },
  { name: "wait", short: "w", type: "bool", usage: "Wait for the addon to become active" },
];
