import type { KubeObject } from "../api/types.ts";
import type { UserInfo } from "../api/user.ts";
import { NODE_RULES, type RuleRequest, ruleAllows } from "./rbac-rules.ts";

// kube's Node authorizer and the part of its NodeRestriction admission plugin that concerns a kubelet's own
// writes, as pure functions. A node is the user system:node:<name> in the group system:nodes.
//
// Authorizer (every request of a node, reviews included), as kube 1.32 without AuthorizeNodeWithSelectors:
// the simulated kubelet reads all nodes (pod CIDRs) and all pods (pod IPs), which that gate would refuse.
// - nodes: get, list, watch; create, update, patch (the object and its status; NodeRestriction narrows).
// - pods: get, list, watch; delete, status update/patch, eviction create (NodeRestriction narrows). Mirror
//   pods (create) are not modelled: the simulated kubelet makes none.
// - leases in kube-node-lease: get, create, update, patch, delete of the node's own Lease (create: any name
//   here, NodeRestriction checks it).
// - secrets, configmaps: get of one that a pod bound to the node refers to (volumes, projected sources,
//   env, envFrom, image pull secrets, CSI secrets). kube walks its informer-fed graph; here the pods of the
//   object's namespace are listed and filtered (one query, and only a real kubelet reads these: the
//   simulated one never does). No list or watch: they carry no name, as kube refuses them.
// - persistentvolumeclaims: get, and status update/patch, of a claim such a pod mounts; persistentvolumes:
//   get of a volume whose claimRef is such a claim (kube follows the claim's volumeName; the volume's
//   back-reference costs one read instead of two).
// - anything else: kube's system:node rules (events, services, endpoints, CSRs, reviews, ...). Token
//   requests, VolumeAttachments, CSINodes and DRA objects are not modelled and get no opinion.
//
// NodeRestriction (only the request itself, not a review of it): a node may create, update and patch only its
// own Node, create and change only its own Lease, and write status of, delete or evict only pods bound to it.
// "Bound to it" is the spec.nodeName of the object the request submits when it carries one (a status update
// carries the whole pod, so this costs nothing), else of the stored object (one read: deletes, evictions,
// patches). The API server keeps a pod's stored spec on a status write, so a kubelet that lies in the spec
// it submits is believed here where kube, which checks the stored pod, would refuse it.

export const NODES_GROUP = "system:nodes";
export const NODE_USER_PREFIX = "system:node:";
export const NODE_LEASE_NAMESPACE = "kube-node-lease";

/** The node a user is ("" for a node user without a name), or undefined for anyone else. */
export function nodeNameOf(user: UserInfo): string | undefined {
  if (!user.username.startsWith(NODE_USER_PREFIX) || !user.groups.includes(NODES_GROUP)) return undefined;
  return user.username.slice(NODE_USER_PREFIX.length);
}

export interface NodeRequest extends RuleRequest {
  namespace?: string;
}

/**
 * What the checks may ask for. Each is undefined until asked for; null when looked for and absent.
 * `boundPods` holds the pods of `boundPodsNamespace` whose spec.nodeName is the node.
 */
export interface NodeFacts {
  submitted?: KubeObject | null;
  stored?: KubeObject | null;
  boundPods?: KubeObject[];
  boundPodsNamespace?: string;
}

export type NodeDecision =
  | { decision: "allow" }
  | { decision: "deny" | "noOpinion"; reason?: string }
  /** Call again with this fact filled in. */
  | { decision: "needs"; fact: "submitted" | "stored" }
  | { decision: "needs"; fact: "boundPods"; namespace: string };

const ALLOW: NodeDecision = { decision: "allow" };
const none = (reason?: string): NodeDecision => ({ decision: "noOpinion", ...(reason ? { reason } : {}) });
const deny = (reason: string): NodeDecision => ({ decision: "deny", reason });
const READS = new Set(["get", "list", "watch"]);

type Any = Record<string, any>;

const nodeNameIn = (o: KubeObject | null | undefined) =>
  (o?.spec as Any | undefined)?.nodeName as string | undefined;

/** The names of the secrets, configmaps and claims a pod refers to. */
export function podReferences(pod: KubeObject): {
  secrets: Set<string>;
  configMaps: Set<string>;
  claims: Set<string>;
} {
  const secrets = new Set<string>();
  const configMaps = new Set<string>();
  const claims = new Set<string>();
  const add = (set: Set<string>, name: unknown) => {
    if (typeof name === "string" && name) set.add(name);
  };
  const spec = (pod.spec ?? {}) as Any;
  for (const s of (spec.imagePullSecrets ?? []) as Any[]) add(secrets, s?.name);
  for (const v of (spec.volumes ?? []) as Any[]) {
    add(secrets, v.secret?.secretName);
    add(configMaps, v.configMap?.name);
    add(claims, v.persistentVolumeClaim?.claimName);
    if (v.ephemeral) add(claims, `${pod.metadata.name}-${v.name}`);
    add(secrets, v.csi?.nodePublishSecretRef?.name);
    for (const src of (v.projected?.sources ?? []) as Any[]) {
      add(secrets, src.secret?.name);
      add(configMaps, src.configMap?.name);
    }
  }
  const containers = [
    ...((spec.initContainers ?? []) as Any[]),
    ...((spec.containers ?? []) as Any[]),
    ...((spec.ephemeralContainers ?? []) as Any[]),
  ];
  for (const c of containers) {
    for (const e of (c.env ?? []) as Any[]) {
      add(secrets, e.valueFrom?.secretKeyRef?.name);
      add(configMaps, e.valueFrom?.configMapKeyRef?.name);
    }
    for (const e of (c.envFrom ?? []) as Any[]) {
      add(secrets, e.secretRef?.name);
      add(configMaps, e.configMapRef?.name);
    }
  }
  return { secrets, configMaps, claims };
}

/** Whether a pod bound to the node refers to `name` (looked up in `namespace`'s bound pods). */
function related(
  f: NodeFacts,
  namespace: string,
  name: string,
  kind: "secrets" | "configMaps" | "claims",
  node: string,
): NodeDecision {
  if (!f.boundPods || f.boundPodsNamespace !== namespace)
    return { decision: "needs", fact: "boundPods", namespace };
  return f.boundPods.some((p) => podReferences(p)[kind].has(name))
    ? ALLOW
    : none(`no relationship found between node '${node}' and this object`);
}

/** kube's Node authorizer. */
export function authorizeNode(node: string, r: NodeRequest, f: NodeFacts = {}): NodeDecision {
  if (!node) return none("unknown node");
  if (!r.resource) return none();
  const sub = r.subresource ?? "";
  const ns = r.namespace ?? "";
  switch (`${r.group}/${r.resource}`) {
    case "/nodes":
      if (sub === "" && (READS.has(r.verb) || ["create", "update", "patch"].includes(r.verb))) return ALLOW;
      if (sub === "status" && (r.verb === "update" || r.verb === "patch")) return ALLOW;
      return none();
    case "/pods":
      if (sub === "" && (READS.has(r.verb) || r.verb === "delete")) return ALLOW;
      if (sub === "status" && (r.verb === "update" || r.verb === "patch")) return ALLOW;
      if (sub === "eviction" && r.verb === "create") return ALLOW;
      return none();
    case "coordination.k8s.io/leases":
      if (!["get", "create", "update", "patch", "delete"].includes(r.verb))
        return none("can only get, create, update, patch, or delete a node lease");
      if (ns !== NODE_LEASE_NAMESPACE)
        return none(`can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
      if (r.verb !== "create" && r.name !== node)
        return none("can only access node lease with the same name as the requesting node");
      return ALLOW;
    case "/secrets":
    case "/configmaps":
      if (!READS.has(r.verb) || sub || !ns || !r.name)
        return none("can only read named objects of this type");
      return related(f, ns, r.name, r.resource === "secrets" ? "secrets" : "configMaps", node);
    case "/persistentvolumeclaims": {
      if (!r.name || !ns) return none("No Object name found");
      const statusWrite = sub === "status" && (r.verb === "update" || r.verb === "patch");
      if (!statusWrite && (sub || r.verb !== "get"))
        return none("can only get claims and update their status");
      return related(f, ns, r.name, "claims", node);
    }
    case "/persistentvolumes": {
      if (r.verb !== "get" || sub || !r.name) return none("can only get individual resources of this type");
      if (f.stored === undefined) return { decision: "needs", fact: "stored" };
      const ref = (f.stored?.spec as Any | undefined)?.claimRef as Any | undefined;
      if (!ref?.namespace || !ref?.name)
        return none(`no relationship found between node '${node}' and this object`);
      return related(f, ref.namespace, ref.name, "claims", node);
    }
    case "/serviceaccounts":
    case "storage.k8s.io/volumeattachments":
    case "storage.k8s.io/csinodes":
    case "resource.k8s.io/resourceclaims":
    case "resource.k8s.io/resourceslices":
      return none("not modelled for nodes");
    default:
      return NODE_RULES.some((rule) => ruleAllows(rule, r)) ? ALLOW : none();
  }
}

/** kube's NodeRestriction for a node's writes (run on the request itself once the authorizer allowed it). */
export function restrictNode(node: string, r: NodeRequest, f: NodeFacts = {}): NodeDecision {
  const sub = r.subresource ?? "";
  const writes = r.verb === "create" || r.verb === "update" || r.verb === "patch" || r.verb === "delete";
  if (!writes) return ALLOW;
  switch (`${r.group}/${r.resource}`) {
    case "/nodes": {
      let target = r.name;
      if (r.verb === "create") {
        if (f.submitted === undefined) return { decision: "needs", fact: "submitted" };
        target = f.submitted?.metadata.name;
      }
      return target === node ? ALLOW : deny(`node "${node}" is not allowed to modify node "${target ?? ""}"`);
    }
    case "coordination.k8s.io/leases": {
      if (r.namespace !== NODE_LEASE_NAMESPACE) return ALLOW;
      let target = r.name;
      if (r.verb === "create") {
        if (f.submitted === undefined) return { decision: "needs", fact: "submitted" };
        target = f.submitted?.metadata.name;
      }
      return target === node
        ? ALLOW
        : deny("can only access node lease with the same name as the requesting node");
    }
    case "/pods": {
      const what =
        sub === "status"
          ? "update pod status for"
          : sub === "eviction"
            ? "evict"
            : sub === "" && r.verb === "delete"
              ? "delete"
              : "";
      if (!what) return ALLOW;
      let bound: string | undefined;
      if (sub === "status" && r.verb === "update") {
        if (f.submitted === undefined) return { decision: "needs", fact: "submitted" };
        bound = nodeNameIn(f.submitted);
      }
      if (bound === undefined) {
        if (f.stored === undefined) return { decision: "needs", fact: "stored" };
        // Gone: the request fails with 404 on its own.
        if (f.stored === null) return ALLOW;
        bound = nodeNameIn(f.stored);
      }
      return bound === node
        ? ALLOW
        : deny(`node "${node}" can only ${what} pods with spec.nodeName set to itself`);
    }
    default:
      return ALLOW;
  }
}
