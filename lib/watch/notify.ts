import { EventEmitter } from "node:events";

// In one process (the local runtime) the stream router wakes watchers as soon as it has logged new events,
// so delivery lag is not bounded below by the poll interval. Across Lambda instances watchers fall back
// to polling the watch log; correctness never depends on these notifications.

const bus = new EventEmitter();
bus.setMaxListeners(0);

export function notifyLogged(cluster: string): void {
  bus.emit(cluster);
}

/** Resolves on the next notification for the cluster or after `ms`, whichever comes first. */
export function waitForLog(cluster: string, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      bus.off(cluster, done);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    bus.on(cluster, done);
    signal?.addEventListener("abort", done);
  });
}
