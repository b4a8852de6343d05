import { describe, expect, it } from "vitest";
import { ADDONS, compatibleVersions, defaultAddonVersion } from "../../lib/eks/addons/catalog.ts";
import { addonObjects, kubeDnsIp } from "../../lib/eks/addons/manifests/index.ts";

const params = (addonVersion: string) => ({
  clusterVersion: "1.33",
  addonVersion,
  region: "eu-central-1",
  serviceCidr: "10.100.0.0/16",
  endpoint: "https://127.0.0.1:8443/clusters/m",
  clusterName: "m",
});
const objects = (name: string) => addonObjects(name, params(defaultAddonVersion(name, "1.33")!));
const find = (name: string, kind: string, objName: string) =>
  objects(name).find((o) => o.kind === kind && o.metadata.name === objName);
const podSpec = (o: any) => o.spec.template.spec;

describe("add-on catalog", () => {
  it("has exactly one default version of every add-on for every supported cluster version", () => {
    for (const k8s of ["1.32", "1.33", "1.34", "1.35", "1.36", "1.37"])
      for (const a of ADDONS) {
        const defaults = compatibleVersions(a.addonName, k8s).filter((v) => v.defaultFor.includes(k8s));
        expect(defaults, `${a.addonName} on ${k8s}`).toHaveLength(1);
        expect(defaultAddonVersion(a.addonName, k8s)).toBe(defaults[0].addonVersion);
      }
  });
});

describe("kubeDnsIp", () => {
  it("takes the 10th address of the service CIDR", () => {
    expect(kubeDnsIp("10.100.0.0/16")).toBe("10.100.0.10");
    expect(kubeDnsIp("172.20.0.0/16")).toBe("172.20.0.10");
    expect(kubeDnsIp("192.168.4.0/24")).toBe("192.168.4.10");
    expect(kubeDnsIp("fd12:3456:789a::/108")).toBe("fd12:3456:789a::a");
  });
});

describe("add-on manifests", () => {
  it("builds every add-on in the catalog with kube-system workloads and ECR images of the region", () => {
    for (const a of ADDONS) {
      const objs = objects(a.addonName);
      expect(objs.length).toBeGreaterThan(0);
      for (const o of objs) {
        expect(o.apiVersion).toBeTruthy();
        expect(o.metadata.name).toBeTruthy();
        if (["DaemonSet", "Deployment", "Service", "ServiceAccount", "ConfigMap"].includes(o.kind))
          expect(o.metadata.namespace).toBe("kube-system");
        if (o.kind === "DaemonSet" || o.kind === "Deployment") {
          const spec = podSpec(o);
          for (const c of [...(spec.initContainers ?? []), ...spec.containers])
            expect(c.image).toMatch(/^602401143452\.dkr\.ecr\.eu-central-1\.amazonaws\.com\//);
          // Selectors must match the template, or the controllers would never own their pods.
          const selector = (o.spec as any).selector.matchLabels;
          const labels = (o.spec as any).template.metadata.labels;
          for (const [k, v] of Object.entries(selector)) expect(labels[k]).toBe(v);
        }
      }
    }
  });

  it("makes DaemonSets tolerate every taint, as EKS does", () => {
    for (const [addon, ds] of [
      ["vpc-cni", "aws-node"],
      ["kube-proxy", "kube-proxy"],
      ["eks-pod-identity-agent", "eks-pod-identity-agent"],
      ["aws-ebs-csi-driver", "ebs-csi-node"],
    ])
      expect(podSpec(find(addon, "DaemonSet", ds)).tolerations).toEqual([{ operator: "Exists" }]);
  });

  it("installs CoreDNS as two replicas behind kube-dns with upstream's requests", () => {
    const dep = find("coredns", "Deployment", "coredns") as any;
    expect(dep.spec.replicas).toBe(2);
    expect(dep.metadata.labels).toMatchObject({
      "eks.amazonaws.com/component": "coredns",
      "k8s-app": "kube-dns",
    });
    const c = podSpec(dep).containers[0];
    expect(c.resources).toEqual({ limits: { memory: "170Mi" }, requests: { cpu: "100m", memory: "70Mi" } });
    expect(c.image).toBe("602401143452.dkr.ecr.eu-central-1.amazonaws.com/eks/coredns:v1.12.1-eksbuild.2");
    const svc = find("coredns", "Service", "kube-dns") as any;
    expect(svc.spec.clusterIP).toBe("10.100.0.10");
    expect(svc.spec.ports.map((p: any) => `${p.port}/${p.protocol}`)).toEqual([
      "53/UDP",
      "53/TCP",
      "9153/TCP",
    ]);
    expect(find("coredns", "ConfigMap", "coredns")?.data).toHaveProperty("Corefile");
    expect(find("coredns", "ClusterRole", "system:coredns")).toBeDefined();
    expect(find("coredns", "ClusterRoleBinding", "system:coredns")).toBeDefined();
    expect((find("coredns", "PodDisruptionBudget", "coredns") as any).spec.maxUnavailable).toBe(1);
  });

  it("runs kube-proxy on the -minimal image of the cluster's minor version with its two ConfigMaps", () => {
    const ds = find("kube-proxy", "DaemonSet", "kube-proxy") as any;
    expect(podSpec(ds).containers[0].image).toMatch(/\/eks\/kube-proxy:v1\.33\.\d+-minimal-eksbuild\.\d+$/);
    expect(ds.metadata.labels).toEqual({
      "eks.amazonaws.com/component": "kube-proxy",
      "k8s-app": "kube-proxy",
    });
    expect((find("kube-proxy", "ConfigMap", "kube-proxy") as any).data.kubeconfig).toContain(
      "server: https://127.0.0.1:8443/clusters/m",
    );
    expect((find("kube-proxy", "ConfigMap", "kube-proxy-config") as any).data.config).toContain(
      "kind: KubeProxyConfiguration",
    );
    expect(find("kube-proxy", "ServiceAccount", "kube-proxy")).toBeDefined();
  });

  it("ships the VPC CNI's aws-node DaemonSet, RBAC and ConfigMap", () => {
    const names = objects("vpc-cni").map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        "DaemonSet/aws-node",
        "ServiceAccount/aws-node",
        "ClusterRole/aws-node",
        "ClusterRoleBinding/aws-node",
        "ConfigMap/amazon-vpc-cni",
      ]),
    );
    const ds = find("vpc-cni", "DaemonSet", "aws-node") as any;
    expect(podSpec(ds).hostNetwork).toBe(true);
    expect(ds.metadata.labels["k8s-app"]).toBe("aws-node");
  });

  it("ships metrics-server without an APIService, and the EBS CSI driver with its CSIDriver", () => {
    const ms = objects("metrics-server").map((o) => o.kind);
    expect(ms).toEqual(expect.arrayContaining(["Deployment", "Service", "ServiceAccount", "ClusterRole"]));
    expect(ms).not.toContain("APIService");
    const ctrl = find("aws-ebs-csi-driver", "Deployment", "ebs-csi-controller") as any;
    expect(ctrl.spec.replicas).toBe(2);
    expect(find("aws-ebs-csi-driver", "DaemonSet", "ebs-csi-node")).toBeDefined();
    expect((find("aws-ebs-csi-driver", "CSIDriver", "ebs.csi.aws.com") as any).spec.attachRequired).toBe(
      true,
    );
    expect(find("aws-ebs-csi-driver", "ServiceAccount", "ebs-csi-node-sa")).toBeDefined();
  });

  it("uses the China partition's registry in cn regions", () => {
    const objs = addonObjects("coredns", { ...params("v1.12.1-eksbuild.2"), region: "cn-north-1" });
    const dep = objs.find((o) => o.kind === "Deployment") as any;
    expect(podSpec(dep).containers[0].image).toBe(
      "918309763551.dkr.ecr.cn-north-1.amazonaws.com.cn/eks/coredns:v1.12.1-eksbuild.2",
    );
  });

  it("throws for an add-on it does not know", () => {
    expect(() => addonObjects("nope", params("v1"))).toThrow(/unknown add-on/);
  });
});
