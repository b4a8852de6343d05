import type { ChildProcess } from "node:child_process";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeKubeconfig } from "../../cli/kubeconfig.ts";
import { freePort } from "../../local/dynamodb.ts";
import { eksToken } from "../auth.ts";
import { startChildStack } from "../child-stack.ts";
import { caDataFor, KUBECTL, waitFor } from "../helpers.ts";

// Stop the stack while the loops have work in flight, start it again on the same data: every loop resumes
// from stored state (the queued work items died with the in-memory SQS emulator; the startup resync replays
// stored objects through the routes).

let proc: ChildProcess | undefined;

afterAll(() => {
  proc?.kill("SIGKILL");
});

describe("restarting the stack", () => {
  it("resumes a half-done scale-up", { timeout: 300_000 }, async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "kumulus-restart-"));
    const port = await freePort();
    const stack = await startChildStack(dataDir, port, ["--nodes", "2"], true);
    proc = stack.proc;
    const kubeconfig = path.join(dataDir, "kubeconfig");
    const writeConfig = async () =>
      writeKubeconfig(kubeconfig, "local", stack.url, caDataFor(stack.url), {
        token: await eksToken(stack.url, "local"),
      });
    await writeConfig();
    const kubectl = (args: string[]) => {
      const r = spawnSync(KUBECTL, args, {
        env: { ...process.env, KUBECONFIG: kubeconfig },
        encoding: "utf8",
        timeout: 60_000,
      });
      return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
    };
    expect(kubectl(["create", "deployment", "web", "--image=nginx", "--replicas=1"]).code).toBe(0);
    expect(kubectl(["rollout", "status", "deploy/web", "--timeout=60s"]).code).toBe(0);
    expect(kubectl(["scale", "deploy/web", "--replicas=20"]).code).toBe(0);
    proc.kill("SIGTERM");
    await new Promise((r) => proc!.once("exit", r));

    proc = (await startChildStack(dataDir, port, ["--nodes", "2"], true)).proc;
    const r = kubectl(["rollout", "status", "deploy/web", "--timeout=120s"]);
    expect(r.code, r.stderr).toBe(0);
    await waitFor(
      () => {
        const pods = JSON.parse(kubectl(["get", "pods", "-l", "app=web", "-o", "json"]).stdout).items;
        return (
          pods.length === 20 && pods.every((p: { status: { phase: string } }) => p.status.phase === "Running")
        );
      },
      60_000,
      "20 running pods after the restart",
    );
    expect(JSON.parse(kubectl(["get", "nodes", "-o", "json"]).stdout).items).toHaveLength(2);
  });
});
