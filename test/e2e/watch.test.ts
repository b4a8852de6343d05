import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../local/dynamodb.ts";
import { kubeFetch, registerStack } from "../auth.ts";
import { newCluster, type TestCluster, waitFor } from "../helpers.ts";

// Watch parameters: sendInitialEvents with the initial-events-end bookmark, bookmarks, timeoutSeconds, and
// 410 Expired once history is gone.

async function readEvents(
  url: string,
  until: (events: any[]) => boolean,
  ms = 10_000,
): Promise<{ events: any[]; ended: boolean }> {
  const abort = new AbortController();
  const res = await kubeFetch(url, { signal: abort.signal });
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = "";
  const events: any[] = [];
  const timer = setTimeout(() => abort.abort(), ms);
  let ended = false;
  try {
    while (!until(events)) {
      const { done, value } = await reader.read();
      if (done) {
        ended = true;
        break;
      }
      buf += dec.decode(value, { stream: true });
      let nl = buf.indexOf("\n");
      while (nl >= 0) {
        events.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
        nl = buf.indexOf("\n");
      }
    }
  } catch {
    // timed out
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return { events, ended };
}

let k: TestCluster;
const CM = "/api/v1/namespaces/default/configmaps";
const cm = (name: string) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, labels: { w: "1" } },
  data: { a: name },
});

beforeAll(async () => {
  k = await newCluster("watch");
  for (const n of ["a", "b"]) expect((await k.api("POST", CM, cm(n))).status).toBe(201);
});

describe("watch", () => {
  it("sends initial events, then the initial-events-end bookmark", async () => {
    const { events } = await readEvents(
      `${k.base}${CM}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&labelSelector=w%3D1`,
      (ev) => ev.some((e) => e.type === "BOOKMARK"),
    );
    expect(
      events
        .filter((e) => e.type === "ADDED")
        .map((e) => e.object.metadata.name)
        .sort(),
    ).toEqual(["a", "b"]);
    const bm = events.find((e) => e.type === "BOOKMARK");
    expect(bm.object.metadata.annotations["k8s.io/initial-events-end"]).toBe("true");
  });

  it("turns a label change into ADDED/DELETED for a selector watch", async () => {
    const list = await k.api("GET", CM);
    const url = `${k.base}${CM}?watch=1&resourceVersion=${list.body.metadata.resourceVersion}&labelSelector=w%3D1`;
    const pending = readEvents(url, (ev) => ev.length >= 2);
    await new Promise((r) => setTimeout(r, 300));
    await k.api(
      "PATCH",
      `${CM}/a`,
      { metadata: { labels: { w: "2" } } },
      { "content-type": "application/merge-patch+json" },
    );
    await k.api(
      "PATCH",
      `${CM}/a`,
      { metadata: { labels: { w: "1" } } },
      { "content-type": "application/merge-patch+json" },
    );
    const { events } = await pending;
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(["DELETED a", "ADDED a"]);
  });

  it("ends the stream after timeoutSeconds", async () => {
    const list = await k.api("GET", CM);
    const started = Date.now();
    const { ended } = await readEvents(
      `${k.base}${CM}?watch=1&resourceVersion=${list.body.metadata.resourceVersion}&timeoutSeconds=1`,
      () => false,
    );
    expect(ended).toBe(true);
    expect(Date.now() - started).toBeLessThan(9_000);
  });

  it("rejects an invalid resourceVersion", async () => {
    const r = await k.api("GET", `${CM}?watch=1&resourceVersion=abc`);
    expect(r.status).toBe(400);
  });
});

describe("expired history", () => {
  let proc: ChildProcess | undefined;
  let base = "";
  beforeAll(async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(path.join(tmpdir(), "kumulus-watch-"));
    proc = spawn(
      process.execPath,
      ["--import", "tsx", "local/main.ts", "--port", String(port), "--data-dir", dataDir, "--http"],
      {
        cwd: path.resolve(import.meta.dirname, "../.."),
        env: {
          ...process.env,
          KUMULUS_LOG_LEVEL: "warn",
          KUMULUS_WATCH_RETENTION_SECONDS: "1",
          KUMULUS_WATCH_GAP_TIMEOUT_MS: "500",
        },
        stdio: "ignore",
      },
    );
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200,
      90_000,
      "second stack",
    );
    registerStack(`http://127.0.0.1:${port}`, dataDir);
    base = `http://127.0.0.1:${port}/clusters/local`;
  });
  afterAll(() => {
    proc?.kill("SIGTERM");
  });

  it("answers a watch from a compacted revision with 410 Expired", async () => {
    const first = await kubeFetch(`${base}${CM}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(cm("old")),
    });
    const rv = ((await first.json()) as any).metadata.resourceVersion;
    await kubeFetch(`${base}${CM}/old`, {
      method: "PATCH",
      headers: { "content-type": "application/merge-patch+json" },
      body: '{"data":{"a":"2"}}',
    });
    await new Promise((r) => setTimeout(r, 2_500));
    const { events } = await readEvents(
      `${base}${CM}?watch=1&resourceVersion=${Number(rv) - 1}`,
      (ev) => ev.length > 0,
    );
    expect(events[0].type).toBe("ERROR");
    expect(events[0].object).toMatchObject({ kind: "Status", code: 410, reason: "Expired" });
  });
});
