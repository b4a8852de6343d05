import { beforeAll, describe, expect, it } from "vitest";
import { newCluster, type TestCluster, waitFor } from "../helpers.ts";

// Jobs and CronJobs through the real path (controllers, scheduler, simulated kubelets), driven by kubectl.
// Everything is created up front so the slow parts (the CronJob's next minute, failure backoff) overlap.

let k: TestCluster;

const json = (args: string[]) => JSON.parse(k.kubectl([...args, "-o", "json"]).stdout);

function job(
  name: string,
  spec: Record<string, unknown>,
  pod: Record<string, unknown> = {},
  annotations = {},
) {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name },
    spec: {
      ...spec,
      template: {
        metadata: { annotations },
        spec: {
          restartPolicy: "Never",
          containers: [{ name: "main", image: "busybox:1.36", ...pod }],
        },
      },
    },
  };
}

function apply(obj: unknown): void {
  const r = k.kubectl(["apply", "-f", "-"], JSON.stringify(obj));
  expect(r.code, r.stderr).toBe(0);
}

const cond = (j: any, type: string) =>
  (j?.status?.conditions ?? []).find((c: any) => c.type === type && c.status === "True");

beforeAll(async () => {
  k = await newCluster("jobs", 2);
  const cj = k.kubectl(["create", "cronjob", "c", "--image=busybox", "--schedule=*/1 * * * *"]);
  expect(cj.code, cj.stderr).toBe(0);
  apply(job("x", { completions: 3, parallelism: 2 }));
  apply(job("f", { backoffLimit: 1 }, {}, { "kumulus.io/exit-code": "1", "kumulus.io/run-seconds": "1" }));
  apply(job("ix", { completions: 2, parallelism: 2, completionMode: "Indexed" }));
  apply(job("dl", { activeDeadlineSeconds: 2 }, { command: ["sleep", "600"] }));
  apply(job("ttl", { ttlSecondsAfterFinished: 0 }));
  apply(job("wq", { parallelism: 2 }));
  apply(job("sus", { suspend: true }));
  const fail = (code: number) => ({ "kumulus.io/exit-code": String(code), "kumulus.io/run-seconds": "1" });
  apply(
    job(
      "pfj",
      {
        podFailurePolicy: {
          rules: [
            { action: "Ignore", onExitCodes: { operator: "In", values: [3] } },
            { action: "FailJob", onExitCodes: { containerName: "main", operator: "In", values: [42] } },
          ],
        },
      },
      {},
      fail(42),
    ),
  );
  const indexed = { completionMode: "Indexed", completions: 2, parallelism: 2, backoffLimitPerIndex: 1 };
  apply(job("pix", indexed, {}, fail(1)));
  apply(
    job(
      "pmax",
      {
        ...indexed,
        completions: 3,
        parallelism: 1,
        maxFailedIndexes: 0,
        podFailurePolicy: { rules: [{ action: "FailIndex", onExitCodes: { operator: "In", values: [5] } }] },
      },
      {},
      fail(5),
    ),
  );
});

describe("Jobs", () => {
  it("runs 3 completions at most 2 at a time and reaches Complete", async () => {
    let maxActive = 0;
    let maxRunning = 0;
    const done = await waitFor(
      async () => {
        const j = (await k.api("GET", "/apis/batch/v1/namespaces/default/jobs/x")).body;
        maxActive = Math.max(maxActive, j?.status?.active ?? 0);
        const pods = (await k.api("GET", "/api/v1/namespaces/default/pods?labelSelector=job-name%3Dx")).body;
        const running = (pods?.items ?? []).filter(
          (p: any) => p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed",
        );
        maxRunning = Math.max(maxRunning, running.length);
        return cond(j, "Complete") ? j : undefined;
      },
      90_000,
      "job x to complete",
    );
    const w = k.kubectl(["wait", "--for=condition=complete", "job/x", "--timeout=90s"]);
    expect(w.code, w.stderr).toBe(0);
    expect(maxActive).toBeLessThanOrEqual(2);
    expect(maxRunning).toBeLessThanOrEqual(2);
    expect(done.status.succeeded).toBe(3);
    expect(done.status.completionTime).toBeTruthy();
    expect(done.status.startTime).toBeTruthy();
    expect(cond(done, "SuccessCriteriaMet")).toBeTruthy();
    expect(done.metadata.labels["job-name"]).toBe("x");

    const pods = json(["get", "pods", "-l", "job-name=x"]).items;
    expect(pods.filter((p: any) => p.status.phase === "Succeeded")).toHaveLength(3);
    for (const p of pods) {
      expect(p.metadata.labels["batch.kubernetes.io/controller-uid"]).toBe(done.metadata.uid);
      expect(p.metadata.labels["batch.kubernetes.io/job-name"]).toBe("x");
      expect(p.metadata.labels["controller-uid"]).toBe(done.metadata.uid);
      expect(p.metadata.ownerReferences[0]).toMatchObject({
        kind: "Job",
        name: "x",
        uid: done.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      });
    }
    expect(k.kubectl(["get", "job", "x"]).stdout).toMatch(/x\s+Complete\s+3\/3/);
  });

  it("fails with BackoffLimitExceeded once failed pods pass backoffLimit", async () => {
    const w = k.kubectl(["wait", "--for=condition=failed", "job/f", "--timeout=90s"]);
    expect(w.code, w.stderr).toBe(0);
    const j = json(["get", "job", "f"]);
    expect(cond(j, "Failed").reason).toBe("BackoffLimitExceeded");
    expect(j.status.failed).toBe(2);
    expect(j.status.active ?? 0).toBe(0);
    expect(json(["get", "pods", "-l", "job-name=f"]).items).toHaveLength(2);
  });

  it("runs an Indexed Job one pod per index", async () => {
    const w = k.kubectl(["wait", "--for=condition=complete", "job/ix", "--timeout=90s"]);
    expect(w.code, w.stderr).toBe(0);
    expect(json(["get", "job", "ix"]).status.completedIndexes).toBe("0,1");
    const pods = json(["get", "pods", "-l", "job-name=ix"]).items;
    const idx = pods
      .map((p: any) => p.metadata.annotations["batch.kubernetes.io/job-completion-index"])
      .sort();
    expect(idx).toEqual(["0", "1"]);
    for (const p of pods)
      expect(p.spec.hostname).toBe(
        `ix-${p.metadata.annotations["batch.kubernetes.io/job-completion-index"]}`,
      );
  });

  it("fails a Job past activeDeadlineSeconds and stops its pods", async () => {
    const w = k.kubectl(["wait", "--for=condition=failed", "job/dl", "--timeout=60s"]);
    expect(w.code, w.stderr).toBe(0);
    expect(cond(json(["get", "job", "dl"]), "Failed").reason).toBe("DeadlineExceeded");
    await waitFor(
      () => json(["get", "pods", "-l", "job-name=dl"]).items.length === 0,
      30_000,
      "the deadline job's pods to go",
    );
  });

  it("completes a work-queue Job (parallelism without completions) when its pods are done", async () => {
    const w = k.kubectl(["wait", "--for=condition=complete", "job/wq", "--timeout=60s"]);
    expect(w.code, w.stderr).toBe(0);
    const j = json(["get", "job", "wq"]);
    expect(j.spec.completions).toBeUndefined();
    expect(j.status.succeeded).toBeGreaterThanOrEqual(1);
  });

  it("holds a suspended Job without pods and runs it when resumed", async () => {
    await waitFor(() => cond(json(["get", "job", "sus"]), "Suspended"), 30_000, "the Suspended condition");
    expect(json(["get", "pods", "-l", "job-name=sus"]).items).toHaveLength(0);
    expect(k.kubectl(["patch", "job", "sus", "--type=merge", "-p", '{"spec":{"suspend":false}}']).code).toBe(
      0,
    );
    const w = k.kubectl(["wait", "--for=condition=complete", "job/sus", "--timeout=60s"]);
    expect(w.code, w.stderr).toBe(0);
    const resumed = (json(["get", "job", "sus"]).status.conditions ?? []).find(
      (c: any) => c.type === "Suspended",
    );
    expect(resumed).toMatchObject({ status: "False", reason: "JobResumed" });
  });

  it("fails a Job at once when a pod failure matches a FailJob rule of its podFailurePolicy", async () => {
    const w = k.kubectl(["wait", "--for=condition=failed", "job/pfj", "--timeout=90s"]);
    expect(w.code, w.stderr).toBe(0);
    const j = json(["get", "job", "pfj"]);
    const pods = json(["get", "pods", "-l", "job-name=pfj"]).items;
    expect(pods).toHaveLength(1); // backoffLimit is 6, but nothing was retried
    expect(cond(j, "Failed")).toMatchObject({
      reason: "PodFailurePolicy",
      message: `Container main for pod default/${pods[0].metadata.name} failed with exit code 42 matching FailJob rule at index 1`,
    });
    expect(cond(j, "FailureTarget").reason).toBe("PodFailurePolicy");
    expect(j.spec.podReplacementPolicy).toBe("Failed");
    expect(j.status.failed).toBe(1);
    expect(k.kubectl(["get", "events", "--field-selector=involvedObject.name=pfj"]).stdout).toMatch(
      /Warning\s+PodFailurePolicy\s+job\/pfj\s+Container main for pod/,
    );
  });

  it("does not count failures an Ignore rule matches, even with backoffLimit 0", async () => {
    apply(
      job(
        "pig",
        {
          backoffLimit: 0,
          podFailurePolicy: {
            rules: [{ action: "Ignore", onExitCodes: { operator: "NotIn", values: [42] } }],
          },
        },
        {},
        { "kumulus.io/exit-code": "3", "kumulus.io/run-seconds": "1" },
      ),
    );
    await waitFor(
      () =>
        json(["get", "pods", "-l", "job-name=pig"]).items.filter((p: any) => p.status.phase === "Failed")
          .length >= 2,
      90_000,
      "a failed pod to be replaced and fail again",
    );
    const j = json(["get", "job", "pig"]);
    expect(cond(j, "Failed")).toBeUndefined();
    expect(j.status.failed).toBeUndefined();
    expect(k.kubectl(["delete", "job", "pig"]).code).toBe(0);
  });

  it("refuses a podFailurePolicy without restartPolicy Never, and FailIndex without backoffLimitPerIndex", () => {
    const bad = job("bad", {
      podFailurePolicy: { rules: [{ action: "FailJob", onExitCodes: { operator: "In", values: [1] } }] },
    });
    bad.spec.template.spec.restartPolicy = "OnFailure";
    const r = k.kubectl(["apply", "-f", "-"], JSON.stringify(bad));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified',
    );
    const bad2 = job("bad2", {
      podFailurePolicy: { rules: [{ action: "FailIndex", onExitCodes: { operator: "In", values: [1] } }] },
    });
    const r2 = k.kubectl(["apply", "-f", "-"], JSON.stringify(bad2));
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toContain(
      'spec.podFailurePolicy.rules[0].action: Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set',
    );
  });

  it("retries each index up to backoffLimitPerIndex, then fails with FailedIndexes", async () => {
    const w = k.kubectl(["wait", "--for=condition=failed", "job/pix", "--timeout=100s"]);
    expect(w.code, w.stderr).toBe(0);
    const j = json(["get", "job", "pix"]);
    expect(cond(j, "Failed")).toMatchObject({ reason: "FailedIndexes", message: "Job has failed indexes" });
    expect(j.status.failedIndexes).toBe("0,1");
    expect(j.status.failed).toBe(4);
    expect(j.spec.backoffLimit).toBe(2147483647);
    const pods = json(["get", "pods", "-l", "job-name=pix"]).items;
    const counts = (i: string) =>
      pods
        .filter((p: any) => p.metadata.annotations["batch.kubernetes.io/job-completion-index"] === i)
        .map((p: any) => p.metadata.annotations["batch.kubernetes.io/job-index-failure-count"])
        .sort();
    expect(counts("0")).toEqual(["0", "1"]);
    expect(counts("1")).toEqual(["0", "1"]);
  });

  it("fails an index at once on a FailIndex rule, and the Job past maxFailedIndexes", async () => {
    const w = k.kubectl(["wait", "--for=condition=failed", "job/pmax", "--timeout=90s"]);
    expect(w.code, w.stderr).toBe(0);
    const j = json(["get", "job", "pmax"]);
    expect(cond(j, "Failed")).toMatchObject({
      reason: "MaxFailedIndexesExceeded",
      message: "Job has exceeded the specified maximal number of failed indexes",
    });
    expect(j.status.failedIndexes).toBe("0");
    // backoffLimitPerIndex is 2, but FailIndex does not retry.
    expect(json(["get", "pods", "-l", "job-name=pmax"]).items).toHaveLength(1);
  });

  it("deletes a finished Job after ttlSecondsAfterFinished", async () => {
    await waitFor(() => k.kubectl(["get", "job", "ttl"]).code !== 0, 60_000, "the ttl job to be deleted");
  });
});

describe("CronJobs", () => {
  it("kubectl create job --from=cronjob runs the template to completion", async () => {
    const r = k.kubectl(["create", "job", "j", "--from=cronjob/c"]);
    expect(r.code, r.stderr).toBe(0);
    const w = k.kubectl(["wait", "--for=condition=complete", "job/j", "--timeout=90s"]);
    expect(w.code, w.stderr).toBe(0);
    const j = json(["get", "job", "j"]);
    expect(j.metadata.annotations["cronjob.kubernetes.io/instantiate"]).toBe("manual");
  });

  it("creates a Job on schedule that completes, and records lastScheduleTime", async () => {
    const scheduled = await waitFor(
      () =>
        json(["get", "jobs"]).items.find(
          (j: any) => j.metadata.annotations?.["batch.kubernetes.io/cronjob-scheduled-timestamp"],
        ),
      80_000,
      "a scheduled job",
    );
    const ts = scheduled.metadata.annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"];
    expect(scheduled.metadata.name).toBe(`c-${Math.floor(Date.parse(ts) / 60_000)}`);
    expect(scheduled.metadata.ownerReferences[0]).toMatchObject({
      kind: "CronJob",
      name: "c",
      controller: true,
    });
    const w = k.kubectl([
      "wait",
      "--for=condition=complete",
      `job/${scheduled.metadata.name}`,
      "--timeout=60s",
    ]);
    expect(w.code, w.stderr).toBe(0);
    const cj = await waitFor(
      () => {
        const c = json(["get", "cronjob", "c"]);
        return c.status?.lastScheduleTime && c.status?.lastSuccessfulTime && !c.status?.active
          ? c
          : undefined;
      },
      30_000,
      "the cronjob status",
    );
    // A later minute may already have started another Job.
    expect(Date.parse(cj.status.lastScheduleTime)).toBeGreaterThanOrEqual(Date.parse(ts));
  });
});
