import { spawnSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { newCluster, type TestCluster } from "../helpers.ts";

// The official Python client (Debian's python3-kubernetes, installed by .ci/run) against a cluster, through
// its own models and defaults: creates from models without apiVersion/kind, patches with the content type
// the client picks (also on the scale subresource), a Watch.stream that sees ADDED, MODIFIED and DELETED,
// paging, selectors, delete options and Status errors. The script prints what it saw.

let k: TestCluster;

beforeAll(async () => {
  k = await newCluster("python");
}, 60_000);

describe("the official Python client", () => {
  it("works through its own models, patches, watch, paging and errors", () => {
    const script = path.join(import.meta.dirname, "..", "python", "conformance.py");
    const r = spawnSync("/usr/bin/python3", [script, k.kubeconfig, "py-suite"], {
      encoding: "utf8",
      timeout: 90_000,
    });
    expect(r.status, `${r.stderr}\n${r.stdout}`).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}");
    expect(out).toMatchObject({
      namespace: "py-suite",
      scale: 2,
      statusPatch: 2,
      watch: ["ADDED", "MODIFIED", "DELETED"],
      selected: ["p3"],
      precondition: 409,
      notFound: [404, "NotFound", "missing"],
      invalid: [422, "Invalid", "metadata.name"],
    });
  });
});
