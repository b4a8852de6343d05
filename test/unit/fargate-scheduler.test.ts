import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../lib/api/types.ts";
import type { Instance } from "../../lib/capacity/instance.ts";
import { fargateNodeFor, unsupportedReason } from "../../lib/fleet/fargate-support.ts";

const pod = (spec: Record<string, unknown>, owner?: string): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name: "p",
    namespace: "serverless",
    ...(owner ? { ownerReferences: [{ apiVersion: "apps/v1", kind: owner, name: "o", uid: "u" }] } : {}),
  },
  spec: { containers: [{ name: "c", image: "nginx" }], ...spec },
});

describe("what Fargate refuses", () => {
  it("accepts an ordinary pod", () => {
    expect(unsupportedReason(pod({}))).toBeUndefined();
    expect(unsupportedReason(pod({}, "ReplicaSet"))).toBeUndefined();
  });

  it("words each refusal as fargate-scheduler does", () => {
    expect(unsupportedReason(pod({ hostNetwork: true }))).toBe(
      "Pod not supported on Fargate: fields not supported: HostNetwork",
    );
    const all = pod({
      hostNetwork: true,
      containers: [
        {
          name: "c",
          image: "x",
          securityContext: { privileged: true },
          ports: [{ containerPort: 80, hostPort: 80 }],
        },
      ],
    });
    expect(unsupportedReason(all)).toBe(
      "Pod not supported on Fargate: fields not supported: HostNetwork, invalid SecurityContext fields: Privileged, port contains HostIP or HostPort",
    );
    expect(unsupportedReason(pod({}, "DaemonSet"))).toMatch(/^Pod not supported on Fargate: .*DaemonSet/);
  });
});

describe("the node of a Fargate pod", () => {
  it("has EKS's name, labels, taint and provider id, and carries the price", () => {
    const i: Instance = {
      id: "i-0123456789abcdef0",
      cluster: "c",
      instanceType: "fargate",
      capacityType: "fargate",
      region: "us-east-1",
      zone: "us-east-1b",
      zoneId: "use1-az2",
      privateIp: "192.168.105.82",
      privateDnsName: "ip-192-168-105-82.ec2.internal",
      launchTime: "2026-12-06T10:00:00.000Z",
      state: "running",
      hourlyPrice: 0.05,
      tags: {},
      fargate: { vcpu: 0.25, memoryGB: 0.5 },
    };
    const n = fargateNodeFor(i, { vcpu: 0.25, memoryGB: 0.5 }, "v1.32.0-eks-kumulus");
    expect(n.name).toBe("fargate-ip-192-168-105-82.us-east-1.compute.internal");
    expect(n.labels).toMatchObject({
      "eks.amazonaws.com/compute-type": "fargate",
      "kubernetes.io/hostname": "ip-192-168-105-82.us-east-1.compute.internal",
      "topology.kubernetes.io/zone": "us-east-1b",
      "topology.kubernetes.io/region": "us-east-1",
      "kubernetes.io/arch": "amd64",
      "kubernetes.io/os": "linux",
    });
    expect(n.taints).toEqual([
      { key: "eks.amazonaws.com/compute-type", value: "fargate", effect: "NoSchedule" },
    ]);
    expect(n.providerID).toBe(`aws:///us-east-1b/i-0123456789abcdef0/${n.name}`);
    expect(n.capacity.pods).toBe("1");
    expect(n.annotations).toMatchObject({
      "kumulus.io/instance-id": "i-0123456789abcdef0",
      "kumulus.io/price-per-hour": "0.05",
    });
  });
});
