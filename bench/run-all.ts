import { spawnSync } from "node:child_process";
import path from "node:path";
import { loadOrCreateTls } from "../local/tls.ts";
import { BENCH_CA_DIR } from "./lib.ts";

await loadOrCreateTls(BENCH_CA_DIR);

// Runs every benchmark in its own process (each starts and stops its own stack).
for (const b of [
  "api-latency",
  "watch-lag",
  "list-pods",
  "scheduler",
  "pods-e2e",
  "cluster-create",
  "capacity",
  "cli-create",
  "auth",
  "fuzz",
]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, `${b}.ts`)], {
    stdio: "inherit",
    env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(BENCH_CA_DIR, "ca.pem") },
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
