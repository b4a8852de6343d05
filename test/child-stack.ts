import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync } from "node:fs";
import path from "node:path";
import { registerStack } from "./auth.ts";
import { testCaDir, waitFor } from "./helpers.ts";

// A stack in a child process (`npm start`'s entry point), for tests that kill or restart it. With `tls` it
// serves HTTPS with the test CA (copied into its data dir, where the stack keeps its CA), so kubectl sends
// it credentials; without, plain HTTP.

const ROOT = path.resolve(import.meta.dirname, "..");

export interface ChildStack {
  proc: ChildProcess;
  url: string;
}

export async function startChildStack(
  dataDir: string,
  port: number,
  extraArgs: string[] = [],
  tls = false,
  env: Record<string, string> = {},
): Promise<ChildStack> {
  if (tls)
    for (const f of ["ca.pem", "ca-key.pem"]) copyFileSync(path.join(testCaDir(), f), path.join(dataDir, f));
  const url = `${tls ? "https" : "http"}://127.0.0.1:${port}`;
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
      ...(tls ? [] : ["--http"]),
      ...extraArgs,
    ],
    {
      cwd: ROOT,
      env: { ...process.env, KUMULUS_LOG_LEVEL: "warn", KUMULUS_WATCH_GAP_TIMEOUT_MS: "2000", ...env },
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
      return (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200;
    },
    90_000,
    "stack to be ready",
  );
  registerStack(url, dataDir);
  return { proc: p, url };
}
