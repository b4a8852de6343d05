import { describe, expect, it } from "vitest";
import { planSummary, planText } from "../../cli/apply/render.ts";
import {
  type CurrentState,
  type DesiredState,
  type Plan,
  planApply,
  planCounts,
} from "../../lib/eksctl/plan.ts";

const C = "demo";
const ROLE = "arn:aws:iam::123456789012:role/eksctl-demo-nodegroup-NodeInstanceRole";
const POD_ROLE = "arn:aws:iam::123456789012:role/eksctl-demo-fargate-PodExecutionRole";
const ADMIN = "arn:aws:iam::123456789012:role/admin";
const CREATOR = "arn:aws:iam::123456789012:role/creator";
const VIEW_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy";
const ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

function desired(): DesiredState {
  return {
    createCluster: {
      name: C,
      version: "1.32",
      roleArn: "arn:aws:iam::123456789012:role/eksctl-demo-cluster-ServiceRole",
      resourcesVpcConfig: {
        subnetIds: ["subnet-a", "subnet-b"],
        endpointPublicAccess: true,
        endpointPrivateAccess: false,
      },
      accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" },
      logging: { clusterLogging: [{ types: ["api", "audit"], enabled: true }] },
    },
    nodegroups: [
      {
        clusterName: C,
        nodegroupName: "ng-1",
        nodeRole: ROLE,
        subnets: ["subnet-a", "subnet-b"],
        instanceTypes: ["m5.large"],
        amiType: "AL2023_x86_64_STANDARD",
        scalingConfig: { minSize: 2, maxSize: 4, desiredSize: 2 },
        labels: { "alpha.eksctl.io/nodegroup-name": "ng-1", role: "worker" },
        taints: [{ key: "dedicated", value: "web", effect: "NO_SCHEDULE" }],
      },
    ],
    fargateProfiles: [
      {
        clusterName: C,
        fargateProfileName: "fp-default",
        podExecutionRoleArn: POD_ROLE,
        selectors: [{ namespace: "default" }, { namespace: "kube-system" }],
      },
    ],
    addons: [
      { clusterName: C, addonName: "vpc-cni", addonVersion: "v1.19.2-eksbuild.1" },
      { clusterName: C, addonName: "coredns", configurationValues: '{"replicaCount": 3}' },
    ],
    accessEntries: [
      {
        entry: { clusterName: C, principalArn: ADMIN, kubernetesGroups: ["ops"] },
        policies: [
          { clusterName: C, principalArn: ADMIN, policyArn: VIEW_POLICY, accessScope: { type: "cluster" } },
        ],
      },
    ],
    podIdentityAssociations: [
      {
        clusterName: C,
        namespace: "default",
        serviceAccount: "app",
        roleArn: "arn:aws:iam::123456789012:role/app",
      },
    ],
    iamIdentityMappings: [{ arn: "arn:aws:iam::123456789012:role/dev", username: "dev", groups: ["devs"] }],
  };
}

/** What the EKS API reports once `want` was created as asked, plus what EKS adds on its own. */
function created(want: DesiredState): CurrentState {
  return {
    cluster: {
      name: C,
      version: want.createCluster.version,
      status: "ACTIVE",
      resourcesVpcConfig: { ...want.createCluster.resourcesVpcConfig, publicAccessCidrs: ["0.0.0.0/0"] },
      accessConfig: { authenticationMode: want.createCluster.accessConfig?.authenticationMode },
      kubernetesNetworkConfig: { serviceIpv4Cidr: "10.100.0.0/16", ipFamily: "ipv4" },
      logging: {
        clusterLogging: [
          { types: ["api", "audit"], enabled: true },
          { types: ["authenticator", "controllerManager", "scheduler"], enabled: false },
        ],
      },
    },
    nodegroups: want.nodegroups.map((g) => ({
      ...structuredClone(g),
      version: "1.32",
      status: "ACTIVE",
      capacityType: "ON_DEMAND",
      diskSize: 20,
    })),
    fargateProfiles: want.fargateProfiles.map((p) => ({
      ...structuredClone(p),
      subnets: ["subnet-a", "subnet-b"],
      status: "ACTIVE",
    })),
    addons: want.addons.map((a) => ({
      addonName: a.addonName,
      addonVersion: a.addonVersion ?? "v1.11.4-eksbuild.2",
      // EKS gives configuration values back as sent; a file's differently spaced JSON is the same data.
      configurationValues: a.configurationValues ? '{"replicaCount":3}' : undefined,
      status: "ACTIVE",
    })),
    accessEntries: [
      ...want.accessEntries.map((e) => ({
        entry: { ...structuredClone(e.entry), type: "STANDARD", username: "admin-user" },
        policies: e.policies.map((p) => ({
          policyArn: p.policyArn,
          accessScope: { ...p.accessScope, namespaces: [] },
        })),
      })),
      // EKS's own: the creator's admin entry and the node role's entry.
      {
        entry: { principalArn: CREATOR, type: "STANDARD", kubernetesGroups: [] },
        policies: [{ policyArn: ADMIN_POLICY, accessScope: { type: "cluster" } }],
      },
      { entry: { principalArn: ROLE, type: "EC2_LINUX", kubernetesGroups: ["system:nodes"] }, policies: [] },
    ],
    podIdentityAssociations: want.podIdentityAssociations.map((a, i) => ({
      ...structuredClone(a),
      associationId: `a-${i}`,
    })),
    iamIdentityMappings: [
      ...structuredClone(want.iamIdentityMappings),
      {
        arn: ROLE,
        username: "system:node:{{EC2PrivateDNSName}}",
        groups: ["system:bootstrappers", "system:nodes"],
      },
    ],
  };
}

const plan = (want: DesiredState, have: CurrentState): Plan =>
  planApply(want, have, { keepPrincipals: [CREATOR] });
const summary = (p: Plan) => p.steps.map((s) => `${s.action} ${s.resource} ${s.name}`);

describe("kumulus apply: plan", () => {
  it("plans nothing when the cluster is what the file says, EKS's own entries and defaults included", () => {
    const want = desired();
    const p = plan(want, created(want));
    expect(p.steps).toEqual([]);
    expect(p.refusals).toEqual([]);
    expect(planCounts(p)).toEqual({ create: 0, update: 0, delete: 0, replace: 0 });
  });

  it("scales a node group in place, sending the whole scaling triple", () => {
    const have = created(desired());
    const want = desired();
    want.nodegroups[0].scalingConfig = { minSize: 2, maxSize: 4, desiredSize: 3 };
    const p = plan(want, have);
    expect(summary(p)).toEqual(["update nodegroup ng-1"]);
    expect(p.steps[0].changes).toEqual(["scaling.desiredSize: 2 → 3"]);
    expect(p.steps[0].calls).toEqual([
      {
        op: "UpdateNodegroupConfig",
        input: {
          clusterName: C,
          nodegroupName: "ng-1",
          scalingConfig: { minSize: 2, maxSize: 4, desiredSize: 3 },
        },
      },
    ]);
  });

  it("adds and updates labels and taints, removing what the file dropped", () => {
    const have = created(desired());
    const want = desired();
    want.nodegroups[0].labels = { "alpha.eksctl.io/nodegroup-name": "ng-1", tier: "front" };
    want.nodegroups[0].taints = [{ key: "gpu", value: "true", effect: "NO_EXECUTE" }];
    const [step] = plan(want, have).steps;
    const call = step.calls[0];
    expect(call.op).toBe("UpdateNodegroupConfig");
    if (call.op !== "UpdateNodegroupConfig") return;
    expect(call.input.labels).toEqual({ addOrUpdateLabels: { tier: "front" }, removeLabels: ["role"] });
    expect(call.input.taints).toEqual({
      addOrUpdateTaints: [{ key: "gpu", value: "true", effect: "NO_EXECUTE" }],
      removeTaints: [{ key: "dedicated", value: "web", effect: "NO_SCHEDULE" }],
    });
    expect(call.input.scalingConfig).toBeUndefined();
  });

  it("adds new node groups first and removes dropped ones last", () => {
    const have = created(desired());
    const want = desired();
    want.nodegroups = [{ ...want.nodegroups[0], nodegroupName: "ng-2" }];
    want.addons.push({ clusterName: C, addonName: "metrics-server" });
    const p = plan(want, have);
    expect(summary(p)).toEqual([
      "create nodegroup ng-2",
      "create addon metrics-server",
      "delete nodegroup ng-1",
    ]);
    expect(p.steps[2].calls).toEqual([
      { op: "DeleteNodegroup", input: { clusterName: C, nodegroupName: "ng-1" } },
    ]);
  });

  it("replaces a node group whose instance types changed: delete, then create under the same name", () => {
    const have = created(desired());
    const want = desired();
    want.nodegroups[0].instanceTypes = ["m5.xlarge"];
    const p = plan(want, have);
    expect(summary(p)).toEqual(["replace nodegroup ng-1"]);
    expect(p.steps[0].changes[0]).toBe(
      'instanceTypes: ["m5.large"] → ["m5.xlarge"] (cannot change in place: replace)',
    );
    expect(p.steps[0].calls.map((c) => c.op)).toEqual(["DeleteNodegroup", "CreateNodegroup"]);
  });

  it("upgrades a node group's version, and refuses a downgrade", () => {
    const have = created(desired());
    const want = desired();
    want.nodegroups[0].version = "1.33";
    want.createCluster.version = "1.33";
    const p = plan(want, have);
    expect(summary(p)).toEqual(["update cluster demo", "update nodegroup ng-1"]);
    expect(p.steps.map((s) => s.calls[0].op)).toEqual(["UpdateClusterVersion", "UpdateNodegroupVersion"]);
    want.nodegroups[0].version = "1.31";
    want.createCluster.version = "1.32";
    expect(plan(want, have).refusals).toEqual([
      'nodegroup "ng-1": cannot downgrade from version "1.32" to "1.31"',
    ]);
  });

  it("removes a Fargate profile the file dropped, and replaces a changed one before adding new ones", () => {
    const have = created(desired());
    const want = desired();
    want.fargateProfiles = [];
    expect(summary(plan(want, have))).toEqual(["delete fargateprofile fp-default"]);

    want.fargateProfiles = [
      { ...desired().fargateProfiles[0], selectors: [{ namespace: "default", labels: { app: "web" } }] },
      {
        clusterName: C,
        fargateProfileName: "fp-batch",
        podExecutionRoleArn: POD_ROLE,
        selectors: [{ namespace: "batch" }],
      },
    ];
    const p = plan(want, have);
    expect(summary(p)).toEqual(["replace fargateprofile fp-default", "create fargateprofile fp-batch"]);
    expect(p.steps[0].calls.map((c) => c.op)).toEqual(["DeleteFargateProfile", "CreateFargateProfile"]);
  });

  it("ignores the order of Fargate selectors", () => {
    const have = created(desired());
    const want = desired();
    want.fargateProfiles[0].selectors = [{ namespace: "kube-system" }, { namespace: "default", labels: {} }];
    expect(plan(want, have).steps).toEqual([]);
  });

  it("updates an add-on's version and configuration, leaves what the file omits, and deletes dropped ones", () => {
    const have = created(desired());
    const want = desired();
    want.addons = [
      { clusterName: C, addonName: "vpc-cni", addonVersion: "v1.19.3-eksbuild.1" },
      { clusterName: C, addonName: "coredns", configurationValues: '{"replicaCount": 2}' },
    ];
    const p = plan(want, have);
    expect(summary(p)).toEqual(["update addon vpc-cni", "update addon coredns"]);
    expect(p.steps[0].changes).toEqual(['version: "v1.19.2-eksbuild.1" → "v1.19.3-eksbuild.1"']);
    want.addons = [{ clusterName: C, addonName: "vpc-cni" }];
    expect(summary(plan(want, have))).toEqual(["delete addon coredns"]);
  });

  it("updates an access entry's groups and policies, never deleting EKS's own or the creator's entries", () => {
    const have = created(desired());
    const want = desired();
    want.accessEntries[0].entry.kubernetesGroups = ["ops", "sre"];
    want.accessEntries[0].policies = [
      {
        clusterName: C,
        principalArn: ADMIN,
        policyArn: ADMIN_POLICY,
        accessScope: { type: "namespace", namespaces: ["prod"] },
      },
    ];
    const p = plan(want, have);
    expect(summary(p)).toEqual([`update accessentry ${ADMIN}`]);
    expect(p.steps[0].calls.map((c) => c.op)).toEqual([
      "UpdateAccessEntry",
      "AssociateAccessPolicy",
      "DisassociateAccessPolicy",
    ]);
    want.accessEntries = [];
    expect(summary(plan(want, have))).toEqual([`delete accessentry ${ADMIN}`]);
  });

  it("keeps the node-role rows of aws-auth and updates or removes the file's mappings", () => {
    const have = created(desired());
    const want = desired();
    want.iamIdentityMappings = [
      { arn: "arn:aws:iam::123456789012:role/dev", username: "dev", groups: ["devs", "viewers"] },
      { account: "210987654321" },
    ];
    const p = plan(want, have);
    expect(summary(p)).toEqual([
      "update iamidentitymapping arn:aws:iam::123456789012:role/dev",
      "create iamidentitymapping account:210987654321",
    ]);
    want.iamIdentityMappings = [];
    expect(summary(plan(want, have))).toEqual([
      "delete iamidentitymapping arn:aws:iam::123456789012:role/dev",
    ]);
  });

  it("changes a pod identity association's role in place, by its association id", () => {
    const have = created(desired());
    const want = desired();
    want.podIdentityAssociations[0].roleArn = "arn:aws:iam::123456789012:role/app-v2";
    const p = plan(want, have);
    expect(p.steps[0].calls).toEqual([
      {
        op: "UpdatePodIdentityAssociation",
        input: { clusterName: C, associationId: "a-0", roleArn: "arn:aws:iam::123456789012:role/app-v2" },
      },
    ]);
    want.podIdentityAssociations = [];
    have.podIdentityAssociations.push({
      namespace: "kube-system",
      serviceAccount: "aws-node",
      associationId: "a-addon",
      ownerArn: "arn:aws:eks:us-west-2:123456789012:addon/demo/vpc-cni/x",
    });
    expect(summary(plan(want, have))).toEqual(["delete podidentityassociation default/app"]);
  });

  it("creates, re-roles and removes IRSA service accounts, and leaves them alone when the file has none", () => {
    const RO = "arn:aws:iam::123456789012:role/s3-reader";
    const have = created(desired());
    have.iamServiceAccounts = [
      { namespace: "default", name: "old", roleArn: RO },
      { namespace: "apps", name: "reader", roleArn: RO },
    ];
    const want = desired();
    want.iamServiceAccounts = [
      { namespace: "apps", name: "reader", roleArn: `${RO}-v2` },
      { namespace: "apps", name: "writer", roleArn: RO },
    ];
    const p = plan(want, have);
    expect(summary(p)).toEqual([
      "update iamserviceaccount apps/reader",
      "create iamserviceaccount apps/writer",
      "delete iamserviceaccount default/old",
    ]);
    expect(p.steps[0].changes).toEqual([`role: "${RO}" → "${RO}-v2"`]);
    expect(p.steps[2].calls).toEqual([
      { op: "RemoveServiceAccount", account: { namespace: "default", name: "old", roleArn: RO } },
    ]);
    // Created beside the file (`create iamserviceaccount`): a file without iam.serviceAccounts keeps them.
    expect(summary(plan(desired(), have))).toEqual([]);
  });

  it("upgrades the control plane one minor version at a time, in eksctl's words", () => {
    const have = created(desired());
    const want = desired();
    want.createCluster.version = "1.34";
    expect(plan(want, have).refusals).toEqual([
      'upgrading more than one version at a time is not supported. Found upgrade from "1.32" to "1.34". Please upgrade to "1.33" first',
    ]);
    want.createCluster.version = "1.31";
    expect(plan(want, have).refusals).toEqual([
      'cluster "demo": Unsupported Kubernetes minor version update from 1.32 to 1.31',
    ]);
  });

  it("moves the authentication mode forward one step per call and refuses to go back", () => {
    const want = desired();
    const have = created(want);
    have.cluster.accessConfig = { authenticationMode: "CONFIG_MAP" };
    have.accessEntries = [];
    want.createCluster.accessConfig = { authenticationMode: "API" };
    const p = plan(want, have);
    expect(p.steps[0].calls).toEqual([
      {
        op: "UpdateClusterConfig",
        input: { name: C, accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" } },
      },
      { op: "UpdateClusterConfig", input: { name: C, accessConfig: { authenticationMode: "API" } } },
    ]);
    want.createCluster.accessConfig = { authenticationMode: "CONFIG_MAP" };
    const back = created(desired());
    expect(plan(want, back).refusals).toEqual([
      'cluster "demo": Unsupported authentication mode update from API_AND_CONFIG_MAP to CONFIG_MAP',
    ]);
  });

  it("changes logging and endpoint access with one UpdateClusterConfig each, and refuses a new service CIDR", () => {
    const have = created(desired());
    const want = desired();
    want.createCluster.logging = { clusterLogging: [{ types: ["api", "scheduler"], enabled: true }] };
    want.createCluster.resourcesVpcConfig = { endpointPublicAccess: true, endpointPrivateAccess: true };
    want.createCluster.kubernetesNetworkConfig = { serviceIpv4Cidr: "172.20.0.0/16" };
    const p = plan(want, have);
    expect(p.steps.map((s) => s.calls)).toEqual([
      [
        {
          op: "UpdateClusterConfig",
          input: { name: C, resourcesVpcConfig: { endpointPrivateAccess: true } },
        },
      ],
      [
        {
          op: "UpdateClusterConfig",
          input: {
            name: C,
            logging: {
              clusterLogging: [
                { types: ["scheduler"], enabled: true },
                { types: ["audit"], enabled: false },
              ],
            },
          },
        },
      ],
    ]);
    expect(p.refusals).toEqual([
      'cluster "demo": kubernetesNetworkConfig.serviceIPv4CIDR cannot be changed after the cluster is created ("10.100.0.0/16" → "172.20.0.0/16")',
    ]);
  });
});

describe("kumulus apply: plan details", () => {
  it("takes a pinned add-on version as met by the eksbuild EKS resolved it to", () => {
    const want = desired();
    const have = created(want);
    have.addons[0].addonVersion = "v1.19.2-eksbuild.1";
    want.addons[0].addonVersion = "v1.19.2";
    expect(plan(want, have).steps).toEqual([]);
    want.addons[0].addonVersion = "1.19.2";
    expect(plan(want, have).steps).toEqual([]);
  });

  it("prints the plan as a + / ~ / - / -/+ list with each change under its resource", () => {
    const have = created(desired());
    const want = desired();
    want.nodegroups[0].scalingConfig = { minSize: 2, maxSize: 4, desiredSize: 3 };
    want.nodegroups.push({ ...desired().nodegroups[0], nodegroupName: "ng-2", instanceTypes: ["t3.medium"] });
    want.fargateProfiles = [];
    want.addons[0].addonVersion = "v1.20.0-eksbuild.1";
    want.addons[1].configurationValues = '{"replicaCount": 1}';
    const p = plan(want, have);
    expect(planSummary(p)).toBe(
      '5 change(s) planned for cluster "demo": 1 to create, 3 to update, 1 to delete',
    );
    expect(planText(p)).toBe(
      [
        '    + nodegroup "ng-2"',
        "        desired 2, min 2, max 4, t3.medium",
        '    ~ nodegroup "ng-1"',
        "        scaling.desiredSize: 2 → 3",
        '    - fargateprofile "fp-default"',
        "        not in the file",
        '    ~ addon "vpc-cni"',
        '        version: "v1.19.2-eksbuild.1" → "v1.20.0-eksbuild.1"',
        '    ~ addon "coredns"',
        '        configurationValues: "{\\"replicaCount\\":3}" → "{\\"replicaCount\\": 1}"',
        "",
      ].join("\n"),
    );
  });
});
