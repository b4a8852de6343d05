import { createHash } from "node:crypto";
import { isStaleWrite } from "../client/client.ts";
import { clientFor, splitKey } from "../client/runtime.ts";
import type { ControllerModule } from "../runtime/module.ts";
import type { WorkItem } from "../runtime/work.ts";

// type: LoadBalancer Services get a simulated AWS load balancer: a hostname in status.loadBalancer.ingress,
// named the way the AWS Load Balancer Controller names NLBs, stable for the Service's uid.

type Any = Record<string, any>;

export function loadBalancerHostname(
  namespace: string,
  name: string,
  uid: string,
  region = "us-east-1",
): string {
  const h = createHash("sha256").update(uid).digest("hex");
  const short = (s: string) => s.replace(/[^a-z0-9]/g, "").slice(0, 8);
  return `k8s-${short(namespace)}-${short(name)}-${h.slice(0, 10)}-${h.slice(10, 26)}.elb.${region}.amazonaws.com`;
}

export async function reconcileServiceLoadBalancer(item: WorkItem): Promise<void> {
  const api = clientFor(item.cluster, "service-controller");
  const { namespace, name } = splitKey(item.key);
  const path = `/api/v1/namespaces/${namespace}/services/${name}`;
  const svc = await api.get(path);
  if (!svc || svc.metadata.deletionTimestamp) return;
  const spec = (svc.spec ?? {}) as Any;
  const status = (svc.status ?? {}) as Any;
  const want =
    spec.type === "LoadBalancer"
      ? { ingress: [{ hostname: loadBalancerHostname(namespace, name, svc.metadata.uid ?? name) }] }
      : {};
  if (JSON.stringify(status.loadBalancer ?? {}) === JSON.stringify(want)) return;
  try {
    await api.update(`${path}/status`, { ...svc, status: { ...status, loadBalancer: want } });
  } catch (e) {
    if (!isStaleWrite(e)) throw e; // a newer version, or the deletion, is reconciled again
  }
}

export const serviceLoadBalancerController: ControllerModule = {
  name: "service-lb",
  route(ch, w) {
    if (ch.group === "" && ch.plural === "services" && ch.type !== "DELETED")
      w("controllers", "service-lb", `${ch.namespace}/${ch.name}`);
  },
  reconcilers: { controllers: { "service-lb": reconcileServiceLoadBalancer } },
};
