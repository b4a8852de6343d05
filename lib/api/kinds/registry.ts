import type { KindInfo } from "../types.ts";
import { appsKinds } from "./apps.ts";
import { batchKinds } from "./batch.ts";
import { coreKinds } from "./core.ts";
import { otherKinds } from "./others.ts";

/** Every built-in kind Kumulus serves. */
export const builtinKinds: KindInfo[] = [...coreKinds, ...appsKinds, ...batchKinds, ...otherKinds];

const index = new Map(builtinKinds.map((k) => [`${k.group}/${k.version}/${k.plural}`, k]));

export function findKind(group: string, version: string, plural: string): KindInfo | undefined {
  return index.get(`${group}/${version}/${plural}`);
}
