import { afterAll } from "vitest";
import { signedFetch } from "../auth.ts";
import { stackUrl } from "../helpers.ts";

// After each e2e file, its clusters on the shared stack go (they carry the worker's pid in their names, see
// newCluster): a simulated node renews its Lease every 10 s for as long as it exists, so clusters left behind
// by finished files would load the stack, and slow every later file, until the run ends. A cluster without
// node groups or Fargate profiles is deleted at once; otherwise those are deleted (their drains run on in the
// stack) and the cluster itself stays until the run ends. Best effort: teardown never fails a file.

const DEADLINE_MS = 30_000;

afterAll(async () => {
  const url = stackUrl();
  const ours = new RegExp(`(^|-)${process.pid}(-|$)`);
  const get = async (p: string) => (await (await signedFetch(`${url}${p}`)).json()) as Record<string, any>;
  const del = (p: string) => signedFetch(`${url}${p}`, { method: "DELETE" }).then((r) => r.body?.cancel());
  const clusters: string[] = ((await get("/clusters")).clusters ?? []).filter((n: string) => ours.test(n));
  const work = clusters.map(async (name) => {
    const c = `/clusters/${encodeURIComponent(name)}`;
    const groups: string[] = (await get(`${c}/node-groups`)).nodegroups ?? [];
    const profiles: string[] = (await get(`${c}/fargate-profiles`)).fargateProfileNames ?? [];
    if (groups.length === 0 && profiles.length === 0) return del(c);
    await Promise.all(groups.map((g) => del(`${c}/node-groups/${encodeURIComponent(g)}`)));
    // EKS takes one profile change at a time; the first is enough to stop its pods' capacity.
    if (profiles[0]) await del(`${c}/fargate-profiles/${encodeURIComponent(profiles[0])}`);
  });
  const deadline = new Promise((r) => setTimeout(r, DEADLINE_MS).unref());
  await Promise.race([Promise.allSettled(work), deadline]);
}, DEADLINE_MS + 5_000);
