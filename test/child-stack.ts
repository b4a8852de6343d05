import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { waitFor } from "./helpers.ts";

// A stack in a child process (`npm start`'s entry point), for tests that kill or restart it.

const ROOT = path.resolve(import.meta.dirname, "..");

export async function startChildStack(
  dataDir: string,
  port: number,
  extraArgs: string[] = [],
): Promise<ChildProcess> {
  const p = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "local/main.ts",
      "--port",
      String(port),
      "--data-dir",
      dataDir,
      "--http",
      ...extraArgs,
    ],
    {
      cwd: ROOT,
      env: { ...process.env, KUMULUS_LOG_LEVEL: "warn", KUMULUS_WATCH_GAP_TIMEOUT_MS: "2000" },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let err = "";
  p.stderr?.on("data", (d) => {
    err += d.toString();
  });
  await waitFor(
    async () => {
      if (p.exitCode !== null) throw new Error(`stack exited: ${err}`);
      return (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200;
    },
    90_000,
    "stack to be ready",
  );
  return p;
}
