// Watch history and gap handling knobs, from the environment so tests and Lambda can tune them.
export function watchConfig() {
  const num = (name: string, dflt: number) => {
    const v = Number(process.env[name]);
    return Number.isFinite(v) && v > 0 ? v : dflt;
  };
  return {
    /** How long events stay in the watch log (etcd compacts after 5 minutes by default). */
    retentionSeconds: num("KUMULUS_WATCH_RETENTION_SECONDS", 900),
    /** A missing revision older than this, behind newer routed events, is treated as compacted (410). */
    gapTimeoutMs: num("KUMULUS_WATCH_GAP_TIMEOUT_MS", 10_000),
    /** Fallback poll interval of the watch log when no in-process notification arrives. */
    pollMs: num("KUMULUS_WATCH_POLL_MS", 250),
    bookmarkIntervalMs: num("KUMULUS_WATCH_BOOKMARK_MS", 5_000),
  };
}
