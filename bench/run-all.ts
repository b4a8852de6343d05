import { spawnSync } from "node:child_process";
import path from "node:path";

// Runs every benchmark in its own process (each starts and stops its own stack).
for (const b of [
  "api-latency",
  "watch-lag",
  "list-pods",
  "scheduler",
  "pods-e2e",
  "cluster-create",
  "auth",
]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, `${b}.ts`)], {
    stdio: "inherit",
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
