import type { StatusError } from "../api/status.ts";
import type { KubeObject } from "../api/types.ts";
import type { ObjectKey } from "../store/keys.ts";
import type { ClaimRef, Companions } from "../store/store.ts";

// What admission plugins ask to commit together with the object they admit (see Companions in the store).
// A conflict on any of it re-runs admission on the object as it was before admission, with `attempt` and the
// values found taken, so allocators pick elsewhere and quota is re-evaluated against what committed meanwhile.

/** A claim asked for by admission; `refuse` is the answer when a value the user chose is held by another. */
export interface ClaimRequest extends ClaimRef {
  refuse?: () => StatusError;
}

export class CommitExtras {
  readonly writes: { key: ObjectKey; obj: KubeObject; expectRv: number }[] = [];
  readonly claims: ClaimRequest[] = [];
  readonly releases: ClaimRef[] = [];

  constructor(
    /** 0 on the first try; later tries should allocate away from where the earlier ones collided. */
    readonly attempt = 0,
    /** Per value space, values another object turned out to hold on earlier tries. */
    readonly taken = new Map<string, Set<number>>(),
  ) {}

  isTaken(space: string, value: number): boolean {
    return this.taken.get(space)?.has(value) ?? false;
  }

  companions(): Companions | undefined {
    if (this.writes.length === 0 && this.claims.length === 0 && this.releases.length === 0) return undefined;
    return { writes: this.writes, claims: this.claims, releases: this.releases };
  }
}
