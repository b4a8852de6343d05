import type { QueueName } from "../topology.ts";
import type { Change } from "../watch/router.ts";
import type { Reconciler, WorkItem } from "./work.ts";

// The contract every control loop implements, so adding one touches only its own file and the list in
// routes.ts. A loop says which changes wake which keys (route), what reconciles a key (reconcilers), and
// optionally what runs on every tick of the scheduled function (periodic).

export type WorkQueueName = Exclude<QueueName, "timers">;

export interface Routed {
  queue: WorkQueueName;
  item: WorkItem;
  /** FIFO message group; defaults to the item's key (one reconcile per key at a time). */
  group?: string;
}

/** Adds a work item for `controller`/`key` of the change's cluster. */
export type Emit = (queue: WorkQueueName, controller: string, key: string, group?: string) => void;

export interface ControllerModule {
  name: string;
  /** `group/plural` of kinds whose changes must carry the decoded object (for owners, node names...). */
  objectKinds?: string[];
  route?: (ch: Change, emit: Emit) => void;
  reconcilers?: Partial<Record<WorkQueueName, Record<string, Reconciler>>>;
  periodic?: { name: string; run: () => Promise<void> }[];
}

/** Controller owner references of an object, by kind. */
export function ownersOfKind(ch: Change, kind: string): string[] {
  return (ch.object?.metadata.ownerReferences ?? []).filter((o) => o.kind === kind).map((o) => o.name);
}
