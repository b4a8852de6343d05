import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../lib/api/types.ts";
import {
  failedIndexes,
  INDEX_FAILURE_COUNT,
  indexFailures,
  matchPodFailurePolicy,
  type PodFailurePolicy,
} from "../../lib/controllers/job-failure.ts";

function failedPod(
  name: string,
  exits: Record<string, number>,
  opts: {
    index?: number;
    conditions?: { type: string; status: string }[];
    annotations?: Record<string, string>;
  } = {},
): KubeObject {
  const annotations: Record<string, string> = { ...(opts.annotations ?? {}) };
  if (opts.index !== undefined) annotations["batch.kubernetes.io/job-completion-index"] = String(opts.index);
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "ns", annotations },
    status: {
      phase: "Failed",
      conditions: opts.conditions ?? [],
      containerStatuses: Object.entries(exits).map(([n, code]) => ({
        name: n,
        state: { terminated: { exitCode: code, finishedAt: "2026-01-01T00:00:00Z" } },
      })),
    },
  } as KubeObject;
}

describe("podFailurePolicy", () => {
  const policy: PodFailurePolicy = {
    rules: [
      { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget" }] },
      { action: "FailJob", onExitCodes: { containerName: "main", operator: "In", values: [42] } },
      { action: "Count", onExitCodes: { operator: "NotIn", values: [42] } },
    ],
  };

  it("takes the first matching rule, with kube's messages", () => {
    expect(matchPodFailurePolicy(policy, failedPod("a", { main: 42 }))).toEqual({
      action: "FailJob",
      message: "Container main for pod ns/a failed with exit code 42 matching FailJob rule at index 1",
    });
    expect(matchPodFailurePolicy(policy, failedPod("b", { side: 42 })).action).toBe("Count");
    expect(
      matchPodFailurePolicy(
        policy,
        failedPod("c", { main: 42 }, { conditions: [{ type: "DisruptionTarget", status: "True" }] }),
      ).action,
    ).toBe("Ignore");
    // Exit code 0 never matches, even NotIn.
    expect(matchPodFailurePolicy({ rules: [policy.rules![2]!] }, failedPod("d", { main: 0 })).action).toBe(
      "Count",
    );
    expect(
      matchPodFailurePolicy(
        { rules: [{ action: "FailJob", onPodConditions: [{ type: "ConfigIssue", status: "True" }] }] },
        failedPod("e", { main: 1 }, { conditions: [{ type: "ConfigIssue", status: "True" }] }),
      ),
    ).toEqual({
      action: "FailJob",
      message: "Pod ns/e has condition ConfigIssue matching FailJob rule at index 0",
    });
    expect(matchPodFailurePolicy(undefined, failedPod("f", { main: 1 })).action).toBe("Count");
  });
});

describe("backoffLimitPerIndex", () => {
  it("counts failures per index across replacement pods and fails indexes past the limit", () => {
    const pods = [
      failedPod("a", { main: 1 }, { index: 0 }),
      failedPod("b", { main: 1 }, { index: 0, annotations: { [INDEX_FAILURE_COUNT]: "1" } }),
      failedPod("c", { main: 1 }, { index: 1 }),
    ];
    const per = indexFailures(pods, undefined);
    expect(per.get(0)?.failures).toBe(2);
    expect(per.get(1)?.failures).toBe(1);
    expect([...failedIndexes(per, 1, new Set())]).toEqual([0]);
    expect([...failedIndexes(per, 1, new Set([0]))]).toEqual([]);
  });

  it("fails an index at once on FailIndex and leaves Ignored failures uncounted", () => {
    const policy: PodFailurePolicy = {
      rules: [
        { action: "FailIndex", onExitCodes: { operator: "In", values: [5] } },
        { action: "Ignore", onExitCodes: { operator: "In", values: [3] } },
      ],
    };
    const per = indexFailures(
      [failedPod("a", { main: 5 }, { index: 0 }), failedPod("b", { main: 3 }, { index: 1 })],
      policy,
    );
    expect(per.get(0)).toMatchObject({ failures: 1, failIndex: true });
    expect(per.get(1)).toMatchObject({ failures: 0, ignored: 1, failIndex: false });
    expect([...failedIndexes(per, 6, new Set())]).toEqual([0]);
  });
});
