import { type ChildProcess, execSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../local/dynamodb.ts";
import { kubeFetch } from "../auth.ts";
import { startChildStack as start } from "../child-stack.ts";
import { waitFor } from "../helpers.ts";

// Kill the stack (SIGKILL, no cleanup) in the middle of a write load, restart it on the same data dir:
// every acknowledged write is there and intact, no JVM outlived the kill, and a watcher from before the
// crash either resumes or is told 410 Expired.

let proc: ChildProcess | undefined;

/** JVMs serving this data dir (read from ps, so the shell running the query never matches itself). */
function javaPids(dataDir: string): string[] {
  const lines = execSync("ps -eo pid=,args=", { encoding: "utf8" }).split("\n");
  return lines
    .filter(
      (l) =>
        /\bjava\b/.test(l) && l.includes("DynamoDBLocal.jar") && l.includes(path.join(dataDir, "dynamodb")),
    )
    .filter((l) => !l.includes("watchdog"))
    .map((l) => l.trim().split(/\s+/)[0]);
}

afterAll(() => {
  proc?.kill("SIGKILL");
});

describe("crash during a write load", () => {
  it("keeps every acknowledged write", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "kumulus-crash-"));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}/clusters/local/api/v1/namespaces/default/configmaps`;
    proc = (await start(dataDir, port)).proc;
    const before = (await (await kubeFetch(base)).json()) as any;
    const watchFrom = before.metadata.resourceVersion;

    const acked = new Map<string, string>();
    let stop = false;
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const name = `w${w}-${i}`;
        // Every fifth object is large enough to be split across several DynamoDB items.
        const value = i % 5 === 0 ? `${name}:`.padEnd(600 * 1024, String(w)) : `${name}:small`;
        try {
          const r = await kubeFetch(base, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              apiVersion: "v1",
              kind: "ConfigMap",
              metadata: { name },
              data: { v: value },
            }),
          });
          if (r.status === 201) acked.set(name, value);
        } catch {
          return; // the stack is gone
        }
      }
    };
    const writers = Array.from({ length: 6 }, (_, w) => writer(w));
    await waitFor(() => acked.size >= 40, 60_000, "some acknowledged writes");
    proc.kill("SIGKILL");
    stop = true;
    await Promise.all(writers);
    await waitFor(() => javaPids(dataDir).length === 0, 10_000, "the JVM to exit after its parent died");

    proc = (await start(dataDir, port)).proc;
    const list = (await (await kubeFetch(base)).json()) as any;
    const stored = new Map<string, string>(list.items.map((i: any) => [i.metadata.name, i.data.v]));
    for (const [name, value] of acked) {
      expect(stored.get(name) === value, `acknowledged ${name} must survive intact`).toBe(true);
    }
    for (const [name, value] of stored) expect(value.startsWith(`${name}:`)).toBe(true);

    // A watch from before the crash resumes with the writes, or reports 410 so the client relists.
    const res = await kubeFetch(`${base}?watch=1&resourceVersion=${watchFrom}&timeoutSeconds=15`);
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let text = "";
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const { done, value } = await reader.read();
      if (done) break;
      text += dec.decode(value);
      // Only whole lines: a chunk may end in the middle of an event.
      const lines = text
        .slice(0, text.lastIndexOf("\n") + 1)
        .split("\n")
        .filter(Boolean);
      if (lines.some((l) => JSON.parse(l).type === "ERROR") || lines.length >= acked.size) break;
    }
    await reader.cancel();
    const events = text
      .slice(0, text.lastIndexOf("\n") + 1)
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const error = events.find((e) => e.type === "ERROR");
    if (error) expect(error.object.code).toBe(410);
    else {
      const seen = new Set(events.map((e) => e.object.metadata.name));
      for (const name of acked.keys()) expect(seen.has(name)).toBe(true);
    }
    proc.kill("SIGTERM");
    await new Promise((r) => proc!.once("exit", r));
    expect(javaPids(dataDir)).toEqual([]);
    // Two stack starts, a load and a watch: room for a slow CI machine (about 35 s on a quiet one).
  }, 240_000);
});
