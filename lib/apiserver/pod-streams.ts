import { errors } from "../api/status.ts";
import { objectKey, type ResourceContext, resourceOf } from "./context.ts";

// exec, attach and port-forward open a stream to a container runtime. Kumulus pods are simulated (brief §5):
// there is no process to talk to, so the honest answer is a clear 400 that says why, after the same checks
// kube-apiserver makes first (the pod exists, the container exists), rather than a misleading 404.

export const STREAM_SUBRESOURCES = new Set(["exec", "attach", "portforward"]);

export async function podStream(ctx: ResourceContext, name: string, sub: string): Promise<Response> {
  const pod = await ctx.store.get(objectKey(ctx, name));
  if (!pod) throw errors.notFound(resourceOf(ctx), name);
  const spec = (pod.spec ?? {}) as { containers?: { name: string }[] };
  const wanted = ctx.query.get("container");
  if (wanted && !(spec.containers ?? []).some((c) => c.name === wanted))
    throw errors.badRequest(`container ${wanted} is not valid for pod ${name}`);
  const what = sub === "portforward" ? "port-forward" : sub;
  throw errors.badRequest(
    `${what} is not available: pod ${name} runs on a simulated Kumulus node, which has no container runtime (see docs/simulation.md for what simulated pods do)`,
  );
}
