import { z } from "zod";
import { eksErrors } from "../errors.ts";
import type { Op } from "../op.ts";
import { updateOut } from "../shapes.ts";
import { runUpdate } from "../updates.ts";
import { parseWith } from "../validate.ts";
import { isSupported, nextMinor, platformVersionFor } from "../versions.ts";

// UpdateClusterVersion (POST /clusters/{name}/updates): one minor version up at a time, as EKS allows.

const Body = z.object({
  version: z.string().min(1),
  clientRequestToken: z.string().min(1).optional(),
  force: z.boolean().optional(),
});

export const updateClusterVersion: Op = async (ctx, req) => {
  const name = req.params.name;
  const body = parseWith(Body, req.body, (m) => eksErrors.invalidParameter(m, { clusterName: name }));
  const update = await runUpdate(ctx, name, {
    type: "VersionUpdate",
    clientRequestToken: body.clientRequestToken,
    check: (doc) => {
      if (body.version !== nextMinor(doc.version))
        throw eksErrors.invalidParameter(
          `Unsupported Kubernetes minor version update from ${doc.version} to ${body.version}`,
          { clusterName: name },
        );
      if (!isSupported(body.version))
        throw eksErrors.invalidParameter(`unsupported Kubernetes version ${body.version}`, {
          clusterName: name,
        });
      return [
        { type: "Version", value: body.version },
        { type: "PlatformVersion", value: platformVersionFor(body.version) },
      ];
    },
    apply: (doc) => {
      doc.version = body.version;
      doc.platformVersion = platformVersionFor(body.version);
    },
  });
  return { update: updateOut(update) };
};
