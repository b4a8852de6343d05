import { describe, expect, it } from "vitest";
import { isSupported, KUBERNETES_VERSIONS } from "../../lib/eks/versions.ts";
import {
  type ClusterConfig,
  clusterRequests,
  configFromFlags,
  dumpClusterConfig,
  EksctlError,
  loadClusterConfig,
  SUPPORTED_VERSIONS,
} from "../../lib/eksctl/index.ts";

const head = (extra = "", meta = "") => `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: demo
  region: us-west-2
${meta}${extra}`;

const load = (text: string, opts = {}) => loadClusterConfig(text, { file: "cluster.yaml", ...opts });
const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EksctlError);
    return (e as Error).message;
  }
  throw new Error("expected an EksctlError");
};
const loadError = (text: string, opts = {}) => errorOf(() => load(text, opts));
const SUPPORTED = "1.32, 1.33, 1.34, 1.35, 1.36, 1.37";

describe("strict parsing", () => {
  it("rejects an unknown field with eksctl's decode error", () => {
    expect(loadError(head("nodeGroups:\n  - instanceType: m5.large\n    nmae: ng-1\n"))).toBe(
      'loading config file "cluster.yaml": error unmarshaling JSON: while decoding JSON: json: unknown field "nmae"',
    );
    expect(loadError(`${head()}name: oops\n`)).toBe(
      'loading config file "cluster.yaml": error unmarshaling JSON: while decoding JSON: json: unknown field "name"',
    );
  });

  it("rejects an unquoted version, which YAML reads as a number", () => {
    expect(loadError(head("", "  version: 1.30\n"))).toBe(
      'loading config file "cluster.yaml": error unmarshaling JSON: while decoding JSON: json: cannot unmarshal number into Go struct field ClusterMeta.metadata.version of type string',
    );
  });

  it("reports broken YAML and a wrong kind", () => {
    expect(loadError("metadata: [\n")).toMatch(
      /^loading config file "cluster.yaml": error converting YAML to JSON: yaml: line \d+: /,
    );
    expect(loadError(head().replace("kind: ClusterConfig", "kind: Cluster"))).toContain(
      'no kind "Cluster" is registered',
    );
  });

  it("reads JSON as well as YAML", () => {
    const cfg = load(
      JSON.stringify({
        apiVersion: "eksctl.io/v1alpha5",
        kind: "ClusterConfig",
        metadata: { name: "j", region: "eu-west-1" },
      }),
    );
    expect(cfg.metadata).toMatchObject({ name: "j", region: "eu-west-1", version: "1.34" });
  });
});

describe("metadata and versions", () => {
  it("requires metadata.name and metadata.region", () => {
    expect(loadError("apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\n")).toBe("metadata must be set");
    expect(
      loadError("apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  region: us-west-2\n"),
    ).toBe("metadata.name must be set");
    expect(loadError("apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: a\n")).toBe(
      "metadata.region must be set",
    );
    const cfg = load("apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: a\n", {
      region: "eu-north-1",
    });
    expect(cfg.metadata.region).toBe("eu-north-1");
  });

  it("rejects a cluster name eksctl rejects", () => {
    expect(loadError(head().replace("name: demo", "name: my_cluster"))).toBe(
      "validation for my_cluster failed, name must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*",
    );
  });

  it("says a retired version is no longer supported, listing the supported ones", () => {
    expect(loadError(head("", '  version: "1.17"\n'))).toBe(
      `resolving cluster version: invalid version, 1.17 is no longer supported, supported values: ${SUPPORTED}\nsee also: https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html`,
    );
    expect(loadError(head("", '  version: "1.99"\n'))).toBe(
      `resolving cluster version: invalid version, supported values: ${SUPPORTED}`,
    );
  });

  it("can raise a retired version to the oldest supported one instead, with a warning", () => {
    const warnings: string[] = [];
    const cfg = load(head("", '  version: "1.17"\n'), {
      upgradeRetiredVersions: true,
      warn: (m: string) => warnings.push(m),
    });
    expect(cfg.metadata.version).toBe("1.32");
    expect(warnings).toEqual([
      "Kubernetes version 1.17 is no longer supported; using 1.32, the oldest supported version",
    ]);
  });

  it("resolves auto, latest and the default version", () => {
    expect(load(head("", '  version: "auto"\n')).metadata.version).toBe("1.34");
    expect(load(head("", "  version: latest\n")).metadata.version).toBe("1.37");
    expect(load(head()).metadata.version).toBe("1.34");
  });

  it("offers exactly the versions the Kumulus EKS API supports", () => {
    const eks = KUBERNETES_VERSIONS.map((k) => k.version).filter(isSupported);
    expect([...SUPPORTED_VERSIONS].sort()).toEqual(eks.sort());
  });
});

describe("node group validation", () => {
  const managed = (body: string) => head(`managedNodeGroups:\n  - name: ng-1\n${body}`);
  const unmanaged = (body: string) => head(`nodeGroups:\n  - name: ng-1\n${body}`);

  it("rejects nodes-min greater than nodes-max, and desired outside them, in eksctl's words", () => {
    expect(loadError(managed("    minSize: 3\n    maxSize: 2\n"))).toBe(
      "cannot use --nodes-min=3 and --nodes-max=2 at the same time",
    );
    expect(loadError(managed("    minSize: 3\n    desiredCapacity: 2\n    maxSize: 4\n"))).toBe(
      "cannot use --nodes-min=3 and --nodes=2 at the same time",
    );
    expect(loadError(managed("    desiredCapacity: 5\n    maxSize: 4\n"))).toBe(
      "cannot use --nodes-max=4 and --nodes=5 at the same time",
    );
    expect(loadError(unmanaged("    minSize: 3\n    maxSize: 2\n"))).toBe(
      "--nodes-min value (3) cannot be greater than --nodes-max value (2)",
    );
    expect(loadError(unmanaged("    minSize: 3\n    desiredCapacity: 1\n"))).toBe(
      "--nodes value (1) cannot be lower than --nodes-min value (3)",
    );
    expect(loadError(unmanaged("    maxSize: 3\n    desiredCapacity: 4\n"))).toBe(
      "--nodes value (4) cannot be greater than --nodes-max value (3)",
    );
  });

  it("rejects a bad taint effect", () => {
    expect(
      loadError(managed("    taints:\n      - key: a\n        value: b\n        effect: NoScheduled\n")),
    ).toBe(
      "invalid taint effect: NoScheduled, unsupported taint effect. Valid taint effects are: NoSchedule, NoExecute and PreferNoSchedule",
    );
    expect(loadError(unmanaged("    taints:\n      a: b:Sometimes\n"))).toBe(
      "invalid taint effect: Sometimes, unsupported taint effect. Valid taint effects are: NoSchedule, NoExecute and PreferNoSchedule",
    );
  });

  it("rejects labels with a reserved prefix but lets the kubelet's own through", () => {
    expect(loadError(managed("    labels:\n      kubernetes.io/role: x\n      foo.k8s.io/a: b\n"))).toBe(
      "the following nodegroup labels are disallowed as they have reserved prefixes [kubernetes.io/, k8s.io/]: [kubernetes.io/role foo.k8s.io/a]",
    );
    expect(() => load(managed("    labels:\n      node.kubernetes.io/lifecycle: spot\n"))).not.toThrow();
  });

  it("accepts a launch template (recorded, not sent) but not with fields the template owns", () => {
    const cfg = load(managed("    launchTemplate: {id: lt-1234, version: '3'}\n"));
    expect(cfg.managedNodeGroups?.[0]?.launchTemplate).toEqual({ id: "lt-1234", version: "3" });
    expect(clusterRequests(cfg).nodegroups[0]?.launchTemplate).toBeUndefined();
    expect(loadError(managed("    launchTemplate: {id: lt-1234}\n    instanceType: m5.large\n"))).toMatch(
      /^cannot set instanceType, ami, .* in managedNodeGroup when a launch template is supplied$/,
    );
  });

  it("rejects duplicate names and an AMI family eksctl does not know", () => {
    expect(loadError(head("managedNodeGroups:\n  - name: a\nnodeGroups:\n  - name: a\n"))).toBe(
      'managedNodeGroups[0].name "a" is not unique',
    );
    expect(loadError(managed("    amiFamily: Gentoo\n"))).toMatch(
      /^AMI Family Gentoo is not supported - use one of: AmazonLinux2023, /,
    );
    expect(loadError(managed("    amiFamily: AmazonLinux2\n"))).toBe(
      "AmazonLinux2 is not supported for Kubernetes version 1.34",
    );
  });
});

describe("cluster validation", () => {
  it("rejects a Fargate profile named eks-… or without selectors", () => {
    expect(
      loadError(head("fargateProfiles:\n  - name: eks-x\n    selectors:\n      - namespace: default\n")),
    ).toBe('invalid Fargate profile "eks-x": name should NOT start with "eks-"');
    expect(loadError(head("fargateProfiles:\n  - name: fp\n"))).toBe(
      'invalid Fargate profile "fp": no profile selector',
    );
    expect(loadError(head("fargateProfiles:\n  - name: fp\n    selectors:\n      - labels: {a: b}\n"))).toBe(
      'invalid Fargate profile "fp": invalid profile selector at index #0: empty namespace',
    );
  });

  it("rejects access entries when the authentication mode is CONFIG_MAP", () => {
    const text = head(
      "accessConfig:\n  authenticationMode: CONFIG_MAP\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/admin\n",
    );
    expect(loadError(text)).toBe(
      "accessConfig.authenticationMode must be set to either API_AND_CONFIG_MAP or API to use access entries",
    );
  });

  it("checks service accounts, logging and endpoints", () => {
    expect(
      loadError(
        head(
          "iam:\n  serviceAccounts:\n    - metadata: {name: s3}\n      attachPolicyARNs: [arn:aws:iam::aws:policy/A]\n",
        ),
      ),
    ).toBe("iam.withOIDC must be enabled explicitly for iam.serviceAccounts to be created");
    expect(loadError(head("cloudWatch:\n  clusterLogging:\n    enableTypes: [api, everything]\n"))).toBe(
      'log type "everything" (cloudWatch.clusterLogging.enableTypes[1]) is unknown',
    );
    expect(loadError(head("vpc:\n  clusterEndpoints: {publicAccess: false, privateAccess: false}\n"))).toBe(
      "Kubernetes API access must have one of public or private clusterEndpoints enabled",
    );
  });
});

describe("defaults", () => {
  it("fills in what eksctl's dry run shows", () => {
    const cfg = load(head("managedNodeGroups:\n  - name: mng\nnodeGroups:\n  - name: ng\n"));
    expect(cfg).toMatchObject({
      accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" },
      addonsConfig: {},
      availabilityZones: ["us-west-2a", "us-west-2b", "us-west-2c"],
      cloudWatch: { clusterLogging: {} },
      iam: { vpcResourceControllerPolicy: true, withOIDC: false },
      kubernetesNetworkConfig: { ipFamily: "IPv4" },
      privateCluster: { enabled: false },
      upgradePolicy: { supportType: "" },
      vpc: {
        autoAllocateIPv6: false,
        cidr: "192.168.0.0/16",
        clusterEndpoints: { privateAccess: false, publicAccess: true },
        manageSharedNodeSecurityGroupRules: true,
        nat: { gateway: "Single" },
      },
    });
    expect(cfg.managedNodeGroups?.[0]).toMatchObject({
      amiFamily: "AmazonLinux2023",
      instanceType: "m5.large",
      desiredCapacity: 2,
      minSize: 2,
      maxSize: 2,
      disableIMDSv1: true,
      disablePodIMDS: false,
      instanceSelector: {},
      securityGroups: { withLocal: null, withShared: null },
      ssh: { allow: false, publicKeyPath: "" },
      volumeIOPS: 3000,
      volumeSize: 80,
      volumeThroughput: 125,
      volumeType: "gp3",
      labels: { "alpha.eksctl.io/cluster-name": "demo", "alpha.eksctl.io/nodegroup-name": "mng" },
      tags: { "alpha.eksctl.io/nodegroup-name": "mng", "alpha.eksctl.io/nodegroup-type": "managed" },
    });
    expect(cfg.nodeGroups?.[0]).toMatchObject({
      amiFamily: "AmazonLinux2023",
      instanceType: "m5.large",
      containerRuntime: "containerd",
      securityGroups: { withLocal: true, withShared: true },
      ssh: { allow: false },
    });
    expect(cfg.nodeGroups?.[0]?.desiredCapacity).toBeUndefined();
  });

  it("sizes a managed group from what is given", () => {
    const sizes = (body: string) => {
      const ng = load(head(`managedNodeGroups:\n  - name: a\n${body}`)).managedNodeGroups![0]!;
      return [ng.minSize, ng.desiredCapacity, ng.maxSize];
    };
    expect(sizes("    desiredCapacity: 5\n")).toEqual([5, 5, 5]);
    expect(sizes("    desiredCapacity: 0\n")).toEqual([0, 0, 1]);
    expect(sizes("    minSize: 3\n")).toEqual([3, 3, 3]);
    expect(sizes("    minSize: 1\n    maxSize: 4\n")).toEqual([1, 1, 4]);
  });

  it("expands all log types and turns on ssh when a key is given", () => {
    const cfg = load(
      head(
        "cloudWatch:\n  clusterLogging:\n    enableTypes: ['*']\nmanagedNodeGroups:\n  - name: a\n    ssh: {publicKeyName: k}\n",
      ),
    );
    expect(cfg.cloudWatch?.clusterLogging?.enableTypes).toEqual([
      "api",
      "audit",
      "authenticator",
      "controllerManager",
      "scheduler",
    ]);
    expect(cfg.managedNodeGroups?.[0]?.ssh?.allow).toBe(true);
  });
});

describe("dry run", () => {
  it("prints sorted keys and loads back to the same config", () => {
    const cfg = load(
      head("managedNodeGroups:\n  - name: mng\n    instanceTypes: [m5.large, m5a.large]\n    spot: true\n"),
    );
    const text = dumpClusterConfig(cfg);
    expect(
      text.startsWith(
        "accessConfig:\n  authenticationMode: API_AND_CONFIG_MAP\naddonsConfig: {}\napiVersion: eksctl.io/v1alpha5\n",
      ),
    ).toBe(true);
    expect(text).toContain('  version: "1.34"\n');
    expect(text).toContain("availabilityZones:\n- us-west-2a\n");
    expect(load(text)).toEqual(cfg);
  });
});

describe("flags", () => {
  it("builds eksctl's default cluster: one managed group of two m5.large", () => {
    const cfg = configFromFlags({ region: "us-west-2" });
    expect(cfg.metadata.name).toMatch(/^[a-z]+-[a-z]+-\d{10}$/);
    expect(cfg.metadata.version).toBe("1.34");
    expect(cfg.managedNodeGroups).toHaveLength(1);
    expect(cfg.managedNodeGroups![0]).toMatchObject({
      instanceType: "m5.large",
      minSize: 2,
      maxSize: 2,
      desiredCapacity: 2,
    });
    expect(cfg.managedNodeGroups![0]!.name).toMatch(/^ng-[0-9a-f]{8}$/);
    expect(load(dumpClusterConfig(cfg))).toEqual(cfg);
  });

  it("maps --nodes, --node-type, --nodes-min/max, --managed=false, --fargate and --without-nodegroup", () => {
    const cfg = configFromFlags({
      name: "c",
      region: "eu-west-1",
      version: "1.33",
      nodes: 3,
      nodesMin: 1,
      nodesMax: 5,
      nodeType: "c5.large",
      nodegroupName: "ng",
    });
    expect(cfg.managedNodeGroups![0]).toMatchObject({
      name: "ng",
      instanceType: "c5.large",
      minSize: 1,
      desiredCapacity: 3,
      maxSize: 5,
    });
    expect(configFromFlags({ name: "c", region: "eu-west-1", managed: false }).nodeGroups).toHaveLength(1);
    const fargate = configFromFlags({ name: "c", region: "eu-west-1", fargate: true });
    expect(fargate.managedNodeGroups).toBeUndefined();
    expect(fargate.fargateProfiles).toEqual([
      { name: "fp-default", selectors: [{ namespace: "default" }, { namespace: "kube-system" }] },
    ]);
    expect(
      configFromFlags({ name: "c", region: "eu-west-1", fargate: true, managed: true }).managedNodeGroups,
    ).toHaveLength(1);
    expect(
      configFromFlags({ name: "c", region: "eu-west-1", withoutNodegroup: true }).managedNodeGroups,
    ).toBeUndefined();
    expect(errorOf(() => configFromFlags({ name: "c", region: "eu-west-1", nodesMin: 3, nodesMax: 2 }))).toBe(
      "cannot use --nodes-min=3 and --nodes-max=2 at the same time",
    );
    expect(errorOf(() => configFromFlags({ name: "c" }))).toBe(
      "AWS Region must be set, please set the AWS Region in AWS config file or as environment variable",
    );
  });
});

describe("EKS requests", () => {
  const cfg: ClusterConfig = load(
    head(`availabilityZones: [us-west-2a, us-west-2b, us-west-2c]
secretsEncryption:
  keyARN: arn:aws:kms:us-west-2:000000000000:key/k
managedNodeGroups:
  - name: a
    availabilityZones: [us-west-2b]
    taints: [{key: k, value: v, effect: NoSchedule}]
nodeGroups:
  - name: b
    instanceType: m6g.large
fargateProfiles:
  - name: fp
    selectors: [{namespace: dev}]
accessConfig:
  accessEntries:
    - principalARN: arn:aws:iam::111122223333:role/admin
      accessPolicies:
        - policyARN: arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy
          accessScope: {type: namespace, namespaces: [dev]}
`),
  );
  const r = clusterRequests(cfg, { account: "123456789012" });

  it("creates the cluster with one subnet per zone and the file's settings", () => {
    expect(r.createCluster).toMatchObject({
      name: "demo",
      version: "1.34",
      roleArn: "arn:aws:iam::123456789012:role/eksctl-demo-cluster-ServiceRole",
      resourcesVpcConfig: { endpointPublicAccess: true, endpointPrivateAccess: false },
      encryptionConfig: [
        { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:us-west-2:000000000000:key/k" } },
      ],
      accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" },
      bootstrapSelfManagedAddons: false,
    });
    expect(r.createCluster.resourcesVpcConfig?.subnetIds).toHaveLength(3);
  });

  it("gives each node group the subnets of its zones, and marks self-managed groups", () => {
    const [a, b] = r.nodegroups;
    const subnets = r.createCluster.resourcesVpcConfig!.subnetIds!;
    expect(a).toMatchObject({
      nodegroupName: "a",
      subnets: [subnets[1]],
      instanceTypes: ["m5.large"],
      taints: [{ key: "k", value: "v", effect: "NO_SCHEDULE" }],
    });
    expect(b).toMatchObject({
      nodegroupName: "b",
      amiType: "AL2023_ARM_64_STANDARD",
      scalingConfig: { minSize: 2, maxSize: 2, desiredSize: 2 },
      tags: { "alpha.eksctl.io/nodegroup-type": "unmanaged" },
    });
  });

  it("adds eksctl's default add-ons, networking first, and the access entries with their policies", () => {
    expect(r.addons.map((a) => a.addonName)).toEqual(["vpc-cni", "kube-proxy", "coredns", "metrics-server"]);
    expect(r.fargateProfiles[0]).toMatchObject({
      fargateProfileName: "fp",
      selectors: [{ namespace: "dev" }],
    });
    expect(r.accessEntries[0]?.policies[0]).toMatchObject({
      accessScope: { type: "namespace", namespaces: ["dev"] },
    });
  });
});

describe("Outposts", () => {
  const outpost = 'outpost:\n  controlPlaneOutpostARN: "arn:aws:outposts:us-west-2:1234:outpost/op-1234"\n';
  it("defaults to CONFIG_MAP, gp2 volumes and no EKS add-ons, and refuses what eksctl refuses there", () => {
    const cfg = load(head(`${outpost}nodeGroups:\n  - name: ng\n    instanceType: m5d.large\n`));
    expect(cfg.accessConfig?.authenticationMode).toBe("CONFIG_MAP");
    expect(cfg.nodeGroups?.[0]?.volumeType).toBe("gp2");
    const r = clusterRequests(cfg);
    expect(r.addons).toEqual([]);
    expect(r.createCluster).toMatchObject({
      bootstrapSelfManagedAddons: true,
      outpostConfig: { outpostArns: ["arn:aws:outposts:us-west-2:1234:outpost/op-1234"] },
    });
    expect(loadError(head(`${outpost}addons:\n  - name: vpc-cni\n`))).toBe(
      "Addons are not supported on Outposts",
    );
    expect(
      loadError(head(`${outpost}fargateProfiles:\n  - name: fp\n    selectors: [{namespace: a}]\n`)),
    ).toBe("Fargate is not supported on Outposts");
  });
});
