// The control plane's part of a plan: Kubernetes version (one minor at a time, as EKS allows), endpoint
// access, control-plane logging and the authentication mode, each its own UpdateClusterConfig call since EKS
// takes one kind of change per call. What EKS fixes at creation (service CIDR, IP family) is refused.
import type {
  Cluster,
  CreateClusterRequest,
  LogSetup,
  UpdateClusterConfigRequest,
} from "@aws-sdk/client-eks";
import type { Diff, PlanCall, PlanStep } from "./plan-types.ts";
import { change, compareVersions, differs, minorOf, sameSet, show } from "./plan-util.ts";

type Mode = "CONFIG_MAP" | "API_AND_CONFIG_MAP" | "API";
const MODES: Mode[] = ["CONFIG_MAP", "API_AND_CONFIG_MAP", "API"];

function enabledLogTypes(setups: LogSetup[] | undefined): string[] {
  return (setups ?? []).filter((s) => s.enabled).flatMap((s) => s.types ?? []);
}

function versionDiff(name: string, want: string | undefined, have: string | undefined): Diff {
  const cmp = compareVersions(want, have);
  if (cmp === undefined || cmp === 0 || want === undefined) return { steps: [], refusals: [] };
  const [major, minor] = minorOf(have) ?? [0, 0];
  const next = `${major}.${minor + 1}`;
  if (cmp < 0)
    return {
      steps: [],
      refusals: [`cluster "${name}": Unsupported Kubernetes minor version update from ${have} to ${want}`],
    };
  if (want !== next)
    // eksctl upgrade cluster's wording.
    return {
      steps: [],
      refusals: [
        `upgrading more than one version at a time is not supported. Found upgrade from "${have}" to "${want}". Please upgrade to "${next}" first`,
      ],
    };
  return {
    steps: [
      {
        resource: "cluster",
        action: "update",
        name,
        changes: [change("version", have, want)],
        calls: [{ op: "UpdateClusterVersion", input: { name, version: want } }],
      },
    ],
    refusals: [],
  };
}

function modeDiff(name: string, want: string | undefined, have: string | undefined): Diff {
  const from = MODES.indexOf((have ?? "CONFIG_MAP") as Mode);
  const to = MODES.indexOf(want as Mode);
  if (want === undefined || to < 0 || from < 0 || to === from) return { steps: [], refusals: [] };
  if (to < from)
    return {
      steps: [],
      refusals: [`cluster "${name}": Unsupported authentication mode update from ${have} to ${want}`],
    };
  // EKS moves one mode at a time: CONFIG_MAP → API_AND_CONFIG_MAP → API.
  const calls: PlanCall[] = MODES.slice(from + 1, to + 1).map((m) => ({
    op: "UpdateClusterConfig",
    input: { name, accessConfig: { authenticationMode: m } },
  }));
  return {
    steps: [
      {
        resource: "cluster",
        action: "update",
        name,
        changes: [change("accessConfig.authenticationMode", have ?? "CONFIG_MAP", want)],
        calls,
      },
    ],
    refusals: [],
  };
}

export function planCluster(want: CreateClusterRequest, have: Cluster): Diff {
  const name = have.name ?? want.name ?? "";
  const steps: PlanStep[] = [];
  const refusals: string[] = [];
  const add = (d: Diff) => {
    steps.push(...d.steps);
    refusals.push(...d.refusals);
  };
  add(versionDiff(name, want.version, have.version));

  const wv = want.resourcesVpcConfig;
  const hv = have.resourcesVpcConfig;
  const endpoint: string[] = [];
  const vpc: NonNullable<UpdateClusterConfigRequest["resourcesVpcConfig"]> = {};
  if (differs(wv?.endpointPublicAccess, hv?.endpointPublicAccess)) {
    endpoint.push(change("endpointPublicAccess", hv?.endpointPublicAccess, wv?.endpointPublicAccess));
    vpc.endpointPublicAccess = wv?.endpointPublicAccess;
  }
  if (differs(wv?.endpointPrivateAccess, hv?.endpointPrivateAccess)) {
    endpoint.push(change("endpointPrivateAccess", hv?.endpointPrivateAccess, wv?.endpointPrivateAccess));
    vpc.endpointPrivateAccess = wv?.endpointPrivateAccess;
  }
  if (wv?.publicAccessCidrs?.length && !sameSet(wv.publicAccessCidrs, hv?.publicAccessCidrs)) {
    endpoint.push(change("publicAccessCidrs", hv?.publicAccessCidrs, wv.publicAccessCidrs));
    vpc.publicAccessCidrs = wv.publicAccessCidrs;
  }
  if (endpoint.length)
    steps.push({
      resource: "cluster",
      action: "update",
      name,
      changes: endpoint,
      calls: [{ op: "UpdateClusterConfig", input: { name, resourcesVpcConfig: vpc } }],
    });

  if (want.logging?.clusterLogging) {
    const on = new Set(enabledLogTypes(want.logging.clusterLogging));
    const was = new Set(enabledLogTypes(have.logging?.clusterLogging));
    const enable = [...on].filter((t) => !was.has(t));
    const disable = [...was].filter((t) => !on.has(t));
    if (enable.length || disable.length)
      steps.push({
        resource: "cluster",
        action: "update",
        name,
        changes: [change("logging.enabledTypes", [...was].sort(), [...on].sort())],
        calls: [
          {
            op: "UpdateClusterConfig",
            input: {
              name,
              logging: {
                clusterLogging: [
                  ...(enable.length ? [{ types: enable as LogSetup["types"], enabled: true }] : []),
                  ...(disable.length ? [{ types: disable as LogSetup["types"], enabled: false }] : []),
                ],
              },
            },
          },
        ],
      });
  }

  add(modeDiff(name, want.accessConfig?.authenticationMode, have.accessConfig?.authenticationMode));

  const wn = want.kubernetesNetworkConfig;
  const hn = have.kubernetesNetworkConfig;
  if (wn?.serviceIpv4Cidr !== undefined && wn.serviceIpv4Cidr !== hn?.serviceIpv4Cidr)
    refusals.push(
      `cluster "${name}": kubernetesNetworkConfig.serviceIPv4CIDR cannot be changed after the cluster is created (${show(hn?.serviceIpv4Cidr)} → ${show(wn.serviceIpv4Cidr)})`,
    );
  if (wn?.ipFamily !== undefined && wn.ipFamily.toLowerCase() !== (hn?.ipFamily ?? "ipv4").toLowerCase())
    refusals.push(
      `cluster "${name}": kubernetesNetworkConfig.ipFamily cannot be changed after the cluster is created (${show(hn?.ipFamily)} → ${show(wn.ipFamily)})`,
    );
  return { steps, refusals };
}
