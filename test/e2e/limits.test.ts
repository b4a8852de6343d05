import type { ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../local/dynamodb.ts";
import { kubeFetch } from "../auth.ts";
import { startChildStack } from "../child-stack.ts";

// kube-apiserver's in-flight limits, made small so a test can reach them: past its long-running cap a
// client's next watch gets 429 with Retry-After, others' are not affected, and a closed watch frees its slot.

let proc: ChildProcess | undefined;
let base: string;

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "kumulus-limits-"));
  const child = await startChildStack(dataDir, await freePort(), [], false, {
    KUMULUS_MAX_LONG_RUNNING_PER_CLIENT: "3",
  });
  proc = child.proc;
  base = `${child.url}/clusters/local/api/v1/namespaces/default/configmaps`;
}, 120_000);

afterAll(() => {
  proc?.kill("SIGKILL");
});

describe("in-flight limits", () => {
  it("caps a client's watches with 429 and Retry-After, and frees a slot when a watch ends", async () => {
    const open = await Promise.all(
      [0, 1, 2].map(async () => {
        const ctl = new AbortController();
        const res = await kubeFetch(`${base}?watch=1&timeoutSeconds=60`, { signal: ctl.signal });
        expect(res.status).toBe(200);
        return { ctl, res };
      }),
    );
    const refused = await kubeFetch(`${base}?watch=1&timeoutSeconds=60`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(await refused.json()).toMatchObject({ kind: "Status", reason: "TooManyRequests", code: 429 });
    // Ordinary requests are not long-running and still pass.
    expect((await kubeFetch(base)).status).toBe(200);
    // Closing a watch gives its slot back.
    open[0].ctl.abort();
    await open[0].res.body?.cancel().catch(() => undefined);
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      const again = await kubeFetch(`${base}?watch=1&timeoutSeconds=1`);
      status = again.status;
      await again.body?.cancel().catch(() => undefined);
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
    for (const w of open.slice(1)) w.ctl.abort();
  });
});
