import { z } from "zod";
import type { EksError } from "./errors.ts";
import type { ClusterDoc, LogType } from "./repo.ts";

// Request sub-shapes shared by several operations (eks-api.md §3), and the rules on them that zod cannot
// express in AWS's words.

export const LOG_TYPES: readonly LogType[] = [
  "api",
  "audit",
  "authenticator",
  "controllerManager",
  "scheduler",
];

export const LoggingRequest = z.object({
  clusterLogging: z
    .array(
      z.object({
        types: z
          .array(z.enum(["api", "audit", "authenticator", "controllerManager", "scheduler"]))
          .optional(),
        enabled: z.boolean().optional(),
      }),
    )
    .optional(),
});
export type LoggingRequest = z.infer<typeof LoggingRequest>;

export const VpcConfigRequest = z.object({
  subnetIds: z.array(z.string()).optional(),
  securityGroupIds: z.array(z.string()).optional(),
  endpointPublicAccess: z.boolean().optional(),
  endpointPrivateAccess: z.boolean().optional(),
  publicAccessCidrs: z.array(z.string()).optional(),
});
export type VpcConfigRequest = z.infer<typeof VpcConfigRequest>;

export const TagsRequest = z.record(z.string(), z.string());

/** Applies a logging request to the current setting and returns EKS's two-group form (enabled, disabled). */
export function applyLogging(current: ClusterDoc["logging"], req: LoggingRequest): ClusterDoc["logging"] {
  const enabled = new Set(current.clusterLogging.filter((g) => g.enabled).flatMap((g) => g.types));
  for (const group of req.clusterLogging ?? [])
    for (const t of group.types ?? []) {
      if (group.enabled) enabled.add(t);
      else enabled.delete(t);
    }
  const on = LOG_TYPES.filter((t) => enabled.has(t));
  const off = LOG_TYPES.filter((t) => !enabled.has(t));
  const groups: ClusterDoc["logging"]["clusterLogging"] = [];
  if (on.length > 0) groups.push({ types: on, enabled: true });
  if (off.length > 0) groups.push({ types: off, enabled: false });
  return { clusterLogging: groups };
}

export const DEFAULT_LOGGING: ClusterDoc["logging"] = {
  clusterLogging: [{ types: [...LOG_TYPES], enabled: false }],
};

const MAX_TAGS = 50;

/**
 * The tag rules EKS documents: at most 50 per resource, keys 1..128 and values up to 256 characters, and the
 * `aws:` prefix reserved. `fail` builds the operation's exception (InvalidParameter or BadRequest).
 */
export function checkTags(tags: Record<string, string>, fail: (message: string) => EksError): void {
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS)
    throw fail(
      `1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TAGS}`,
    );
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > 128)
      throw fail(
        `1 validation error detected: Value '${key}' at 'tags' failed to satisfy constraint: Map keys must have length between 1 and 128`,
      );
    if (value.length > 256)
      throw fail(
        `1 validation error detected: Value '${value}' at 'tags.${key}' failed to satisfy constraint: Member must have length less than or equal to 256`,
      );
    if (key.toLowerCase().startsWith("aws:"))
      throw fail(`Tag keys starting with 'aws:' are reserved for AWS use: ${key}`);
  }
}

/** Tag count after a merge, which the 50-tag limit applies to. */
export function checkTagCount(merged: Record<string, string>, fail: (message: string) => EksError): void {
  if (Object.keys(merged).length > MAX_TAGS) throw fail(`A resource can have at most ${MAX_TAGS} tags`);
}
