import { addMapping, type IdentityMapping, readAuthMap, writeAuthMap } from "../aws-auth.ts";
import type { Kube } from "../kube.ts";
import type { StepContext } from "./context.ts";

/** Adds mappings to aws-auth in one read-modify-write; identical existing ones are left alone. */
export async function createIdentityMappings(
  ctx: StepContext,
  kube: Kube,
  mappings: IdentityMapping[],
  noDuplicateArns = false,
): Promise<void> {
  if (mappings.length === 0) return;
  const m = await readAuthMap(kube);
  let changed = false;
  for (const id of mappings) {
    const what = id.account ? `account "${id.account}"` : `identity "${id.arn}"`;
    if (addMapping(m, id, noDuplicateArns)) {
      ctx.log.info(`adding ${what} to auth ConfigMap`);
      changed = true;
    } else {
      ctx.log.info(`${what} is already in auth ConfigMap`);
    }
  }
  if (changed) await writeAuthMap(kube, m);
}
