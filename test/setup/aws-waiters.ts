import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

// The aws CLI's EKS waiters (`aws eks wait …`) poll every 10 or 30 seconds, as fits EKS's minutes-long
// operations. Against a local stack that finishes in a second or two, a test would mostly sleep. botocore
// reads models from AWS_DATA_PATH before its own, so the tests give the real CLI the same acceptors (the
// statuses each waiter succeeds or fails on) polled every second, for the same overall time.

type Acceptor =
  | { state: "success" | "failure"; matcher: "path"; argument: string; expected: string }
  | { state: "success"; matcher: "error"; expected: string };

const gone: Acceptor = { state: "success", matcher: "error", expected: "ResourceNotFoundException" };
const status = (state: "success" | "failure", argument: string, expected: string): Acceptor => ({
  state,
  matcher: "path",
  argument,
  expected,
});

const waiters: Record<string, { operation: string; seconds: number; acceptors: Acceptor[] }> = {
  ClusterActive: {
    operation: "DescribeCluster",
    seconds: 1200,
    acceptors: [
      status("failure", "cluster.status", "DELETING"),
      status("failure", "cluster.status", "FAILED"),
      status("success", "cluster.status", "ACTIVE"),
    ],
  },
  ClusterDeleted: {
    operation: "DescribeCluster",
    seconds: 1200,
    acceptors: [
      status("failure", "cluster.status", "ACTIVE"),
      status("failure", "cluster.status", "CREATING"),
      status("failure", "cluster.status", "PENDING"),
      gone,
    ],
  },
  NodegroupActive: {
    operation: "DescribeNodegroup",
    seconds: 2400,
    acceptors: [
      status("failure", "nodegroup.status", "CREATE_FAILED"),
      status("success", "nodegroup.status", "ACTIVE"),
    ],
  },
  NodegroupDeleted: {
    operation: "DescribeNodegroup",
    seconds: 1200,
    acceptors: [status("failure", "nodegroup.status", "DELETE_FAILED"), gone],
  },
  AddonActive: {
    operation: "DescribeAddon",
    seconds: 600,
    acceptors: [
      status("failure", "addon.status", "CREATE_FAILED"),
      status("failure", "addon.status", "DEGRADED"),
      status("success", "addon.status", "ACTIVE"),
    ],
  },
  AddonDeleted: {
    operation: "DescribeAddon",
    seconds: 600,
    acceptors: [status("failure", "addon.status", "DELETE_FAILED"), gone],
  },
  FargateProfileActive: {
    operation: "DescribeFargateProfile",
    seconds: 600,
    acceptors: [
      status("failure", "fargateProfile.status", "CREATE_FAILED"),
      status("success", "fargateProfile.status", "ACTIVE"),
    ],
  },
  FargateProfileDeleted: {
    operation: "DescribeFargateProfile",
    seconds: 1800,
    acceptors: [status("failure", "fargateProfile.status", "DELETE_FAILED"), gone],
  },
};

/** Writes the models under `dir` and returns the value for AWS_DATA_PATH. */
export function writeFastWaiters(dir: string): string {
  const eks = path.join(dir, "eks", "2017-11-01");
  mkdirSync(eks, { recursive: true });
  const model = {
    version: 2,
    waiters: Object.fromEntries(
      Object.entries(waiters).map(([name, w]) => [
        name,
        { delay: 1, maxAttempts: w.seconds, operation: w.operation, acceptors: w.acceptors },
      ]),
    ),
  };
  writeFileSync(path.join(eks, "waiters-2.json"), `${JSON.stringify(model, null, 2)}\n`);
  return dir;
}
