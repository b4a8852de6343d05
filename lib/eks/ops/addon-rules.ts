import { compatibleVersions, defaultAddonVersion, isCompatible } from "../addons/catalog.ts";
import { addonObjects } from "../addons/manifests/index.ts";
import { addonParamsFor } from "../addons/params.ts";
import { eksErrors } from "../errors.ts";
import type { AddonDoc, ClusterDoc, EksContext } from "../repo.ts";

// Add-on checks and object building shared by CreateAddon, UpdateAddon and DeleteAddon.

/** The version to install: the one asked for if it runs on the cluster's version, else the default. */
export function resolveAddonVersion(doc: ClusterDoc, addonName: string, requested?: string): string {
  const members = { clusterName: doc.name, addonName };
  if (compatibleVersions(addonName, doc.version).length === 0)
    throw eksErrors.invalidParameter(
      `Addon ${addonName} specified is not supported in ${doc.version} kubernetes version`,
      members,
    );
  if (requested === undefined) return defaultAddonVersion(addonName, doc.version)!;
  if (!isCompatible(addonName, requested, doc.version))
    throw eksErrors.invalidParameter("Addon version specified is not supported", members);
  return requested;
}

export function objectsFor(ctx: EksContext, doc: ClusterDoc, addon: AddonDoc) {
  return addonObjects(
    addon.addonName,
    addonParamsFor(ctx, doc, addon.addonVersion, addon.serviceAccountRoleArn),
  );
}

export function issueOf(e: unknown): AddonDoc["healthIssues"] {
  return [
    { code: "ConfigurationConflict", message: e instanceof Error ? e.message : String(e), resourceIds: [] },
  ];
}
