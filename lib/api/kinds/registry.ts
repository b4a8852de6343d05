import type { KindInfo } from "../types.ts";
import { appsKinds } from "./apps.ts";
import { batchKinds } from "./batch.ts";
import { clusterKinds } from "./cluster.ts";
import { coreKinds } from "./core.ts";
import { eventKinds } from "./events.ts";
import { extensionKinds } from "./extensions.ts";
import { miscKinds } from "./misc.ts";
import { networkingKinds } from "./networking.ts";
import { rbacKinds } from "./rbac.ts";
import { storedOnlyKinds } from "./stored-only.ts";

/** Every built-in kind Kumulus serves. */
export const builtinKinds: KindInfo[] = [
  ...coreKinds,
  ...clusterKinds,
  ...eventKinds,
  ...appsKinds,
  ...batchKinds,
  ...rbacKinds,
  ...networkingKinds,
  ...miscKinds,
  ...extensionKinds,
  ...storedOnlyKinds,
];

const index = new Map(builtinKinds.map((k) => [`${k.group}/${k.version}/${k.plural}`, k]));

export function findKind(group: string, version: string, plural: string): KindInfo | undefined {
  return index.get(`${group}/${version}/${plural}`);
}
