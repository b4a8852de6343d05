/** `group/plural` of the built-in kinds that own other objects (garbage collection, cascading deletion). */
export const OWNER_KINDS = [
  "apps/deployments",
  "apps/replicasets",
  "apps/statefulsets",
  "apps/daemonsets",
  "batch/jobs",
  "batch/cronjobs",
];
