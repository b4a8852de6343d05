import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { principalOfCaller, readState } from "../../cli/apply/state.ts";
import { kubeFor } from "../../cli/cluster.ts";
import { createAws } from "../../cli/eks-client.ts";
import { Logger } from "../../cli/logger.ts";
import { callerArn } from "../../cli/sts.ts";
import { isRegionName, zonesOf } from "../../lib/capacity/regions.ts";
import { clusterRequests, loadClusterConfig } from "../../lib/eksctl/index.ts";
import { planApply } from "../../lib/eksctl/plan.ts";
import { presignEksToken, signedHeaders } from "../../lib/identity/sigv4-sign.ts";
import { type AwsKey, adminKeyOf } from "../auth.ts";
import { awsCliEnv, KUBECTL, stackUrl } from "../helpers.ts";

// Every file of eksctl's examples/ folder through `kumulus create cluster -f`, one at a time, each under a
// unique name in its own region: it either makes a working cluster (its node groups ACTIVE with their nodes
// Ready, its Fargate profiles, add-ons, access entries and aws-auth mappings present), which
// `kumulus delete cluster --wait` then removes, or it is refused with `Error: ` and a message naming the
// field. Then the seed's eksworkshop.yaml, as written and without its version line, and --dry-run's output
// fed back to create.

const ROOT = path.resolve(import.meta.dirname, "../..");
const EXAMPLES = path.join(ROOT, "test/fixtures/eksctl-examples");
const home = mkdtempSync(path.join(tmpdir(), "kumulus-examples-"));
const KUBECONFIG = path.join(home, "kubeconfig");
let url: string;
let admin: AwsKey;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const env = () => ({ ...awsCliEnv(url, admin, home), KUBECONFIG });

function kumulus(args: string[]): Run {
  const r = spawnSync(process.execPath, [path.join(ROOT, "bin/kumulus.js"), ...args], {
    encoding: "utf8",
    timeout: 180_000,
    env: env(),
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** The file with metadata.name replaced (comments and layout kept); the region stays the file's. */
function renamed(text: string, name: string): string {
  const doc = parseDocument(text);
  doc.setIn(["metadata", "name"], name);
  return String(doc);
}

function writeConfig(file: string, text: string): string {
  const p = path.join(home, file);
  writeFileSync(p, text);
  return p;
}

// Each EKS region is its own endpoint: a cluster is found in the region its requests are signed for.
const regions = new Map<string, string>();
const clusterOf = (p: string) => decodeURIComponent(/^\/clusters\/([^/]+)/.exec(p)?.[1] ?? "");
const regionOf = (cluster: string) => regions.get(cluster) ?? "us-east-1";

/** A GET of the EKS API, signed for the cluster's region. */
async function signed(p: string): Promise<Response> {
  const full = `${url}${p}`;
  return fetch(full, { headers: await signedHeaders(full, {}, admin, "eks", regionOf(clusterOf(p))) });
}

async function eks<T = any>(p: string): Promise<T> {
  const r = await signed(p);
  expect(r.status, `GET ${p}: ${r.status}`).toBe(200);
  return (await r.json()) as T;
}

async function kube<T = any>(cluster: string, p: string): Promise<{ status: number; body: T }> {
  const token = await presignEksToken(url, cluster, admin, regionOf(cluster));
  const r = await fetch(`${url}/clusters/${cluster}${p}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: r.status, body: (await r.json()) as T };
}

/** A POST to the EKS API, signed for the cluster's region. */
async function eksPost(p: string, body: unknown): Promise<void> {
  const full = `${url}${p}`;
  const init = {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  };
  const r = await fetch(full, {
    ...init,
    headers: await signedHeaders(full, init, admin, "eks", regionOf(clusterOf(p))),
  });
  expect(r.status, `POST ${p}: ${await r.clone().text()}`).toBe(200);
}

async function grantClusterAdmin(name: string, region: string): Promise<void> {
  const caller = await callerArn(createAws({ endpoint: url, region }));
  const principal = principalOfCaller(caller);
  const entry = `/clusters/${name}/access-entries`;
  await eksPost(entry, { principalArn: principal });
  await eksPost(`${entry}/${encodeURIComponent(principal)}/access-policies`, {
    policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
    accessScope: { type: "cluster" },
  });
}

async function waitForAccess(name: string): Promise<{ status: number; body: { items: NodeItem[] } }> {
  for (let i = 0; ; i++) {
    const r = await kube<{ items: NodeItem[] }>(name, "/api/v1/nodes");
    if (r.status === 200 || i >= 100) return r;
    await new Promise((res) => setTimeout(res, 200));
  }
}

interface NodeItem {
  metadata: { labels: Record<string, string> };
  status: { conditions: { type: string; status: string }[] };
}
const ready = (n: NodeItem) => n.status.conditions.some((c) => c.type === "Ready" && c.status === "True");

/** The requests `kumulus create cluster -f` sends for this file (as cli/commands/create-cluster.ts makes them). */
async function requestsFor(text: string, region: string) {
  const aws = createAws({ endpoint: url, region });
  const caller = await callerArn(aws);
  // Loaded as `kumulus create cluster -f` loads it (cli/config-file.ts): a retired version raised.
  const cfg = loadClusterConfig(text, {
    upgradeRetiredVersions: true,
    regionZones: isRegionName(region) ? zonesOf(region) : undefined,
  });
  const want = clusterRequests(cfg, {
    account: caller.split(":")[4] || undefined,
    regionZones: zonesOf(region),
  });
  return { aws, caller, want };
}

/** What a working cluster has, per the file's own requests (lib/eksctl's clusterRequests). */
async function checkCluster(name: string, region: string, text: string): Promise<void> {
  const { want } = await requestsFor(text, region);
  const c = (await eks(`/clusters/${name}`)).cluster;
  expect(c.status).toBe("ACTIVE");

  const groups: string[] = (await eks(`/clusters/${name}/node-groups`)).nodegroups;
  expect(groups.sort()).toEqual(want.nodegroups.map((g) => g.nodegroupName).sort());
  let listed = await kube<{ items: NodeItem[] }>(name, "/api/v1/nodes");
  if (listed.status === 401 || listed.status === 403) {
    // A file that gives its creator no access (bootstrapClusterCreatorAdminPermissions: false): grant it
    // cluster admin with an access entry, as its user would next, then look.
    await grantClusterAdmin(name, region);
    listed = await waitForAccess(name);
  }
  const nodes: NodeItem[] = listed.body.items;
  for (const g of want.nodegroups) {
    const mine = nodes.filter((n) => n.metadata.labels["eks.amazonaws.com/nodegroup"] === g.nodegroupName);
    expect(mine.filter(ready).length, `Ready nodes of ${g.nodegroupName}`).toBe(
      g.scalingConfig?.desiredSize ?? 0,
    );
  }

  const profiles: string[] = (await eks(`/clusters/${name}/fargate-profiles`)).fargateProfileNames;
  expect(profiles.sort()).toEqual(want.fargateProfiles.map((p) => p.fargateProfileName).sort());

  const addons: string[] = (await eks(`/clusters/${name}/addons`)).addons;
  for (const a of want.addons) expect(addons).toContain(a.addonName);

  if (want.accessEntries.length) {
    const entries: string[] = (await eks(`/clusters/${name}/access-entries`)).accessEntries;
    for (const e of want.accessEntries) expect(entries).toContain(e.entry.principalArn);
  }
  if (want.iamIdentityMappings.length) {
    const cm = await kube<{ data: Record<string, string> }>(
      name,
      "/api/v1/namespaces/kube-system/configmaps/aws-auth",
    );
    expect(cm.status).toBe(200);
    const data = Object.values(cm.body.data).join("\n");
    for (const m of want.iamIdentityMappings) expect(data).toContain(m.arn ?? m.account);
  }
}

/**
 * What `kumulus apply -f` would plan right after the create: nothing. Run in this process through the same
 * code as the command (state read over the EKS and Kubernetes APIs, then the pure plan), to spare a CLI start
 * per example.
 */
async function planAfterCreate(name: string, region: string, text: string): Promise<string[]> {
  const { aws, caller, want } = await requestsFor(text, region);
  const described = (await eks(`/clusters/${name}`)).cluster;
  const kube = await kubeFor(aws, name, described);
  const log = new Logger({ verbosity: 0 });
  const have = await readState({ aws, log, cluster: name, deadline: Date.now() + 60_000 }, described, kube);
  const plan = planApply(want, have, { keepPrincipals: [principalOfCaller(caller)] });
  return [
    ...plan.refusals,
    ...plan.steps.map((s) => `${s.action} ${s.resource} ${s.name}: ${s.changes.join("; ")}`),
  ];
}

function kumulusAsync(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [path.join(ROOT, "bin/kumulus.js"), ...args], { env: env() });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => {
      stdout += d.toString();
    });
    p.stderr.on("data", (d) => {
      stderr += d.toString();
    });
    p.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

// Deleting a cluster drains its node groups, and the coredns PodDisruptionBudget holds the last replica until
// the drain deadline (45 s, as EKS holds it up to 15 minutes): so deletions run in the background, a few at a
// time, while the next examples are created, and the last test waits for all of them.
const MAX_DELETES = 6;
const deletions: Promise<{ name: string; run: Run }>[] = [];
let running = 0;
const slots: (() => void)[] = [];

async function deleteInBackground(name: string, region: string): Promise<{ name: string; run: Run }> {
  if (running >= MAX_DELETES) await new Promise<void>((r) => slots.push(r));
  running++;
  try {
    return {
      name,
      // Test clusters: their pods need not leave politely (and coredns's budget would hold a drain).
      run: await kumulusAsync([
        "delete",
        "cluster",
        "--name",
        name,
        "--region",
        region,
        "--wait",
        "--disable-nodegroup-eviction",
      ]),
    };
  } finally {
    running--;
    slots.shift()?.();
  }
}

const files = readdirSync(EXAMPLES)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
const created: string[] = [];
const createdWithoutVersion: string[] = [];
const refused: { file: string; error: string }[] = [];

beforeAll(() => {
  url = stackUrl();
  admin = adminKeyOf(url);
  // For the in-process plan: the CLI's EKS client reads the same environment the CLI runs in.
  Object.assign(process.env, env());
});

describe("eksctl's examples/ folder through kumulus create cluster -f", () => {
  it("has all 49 files", () => {
    expect(files.length).toBe(49);
  });

  /** Creates the file's cluster, checks it works and that apply plans nothing, and queues its deletion. */
  async function createWorking(file: string, name: string, text: string): Promise<Run> {
    const region = String(parseDocument(text).getIn(["metadata", "region"]) ?? "us-west-2");
    regions.set(name, region);
    const r = kumulus(["create", "cluster", "-f", writeConfig(file, text)]);
    if (r.code !== 0) {
      expect(r.code).toBe(1);
      // Refused before anything was made, with eksctl's "Error: " and the field at fault.
      expect(r.stderr).toMatch(/^Error: .+/m);
      // (A create that started and failed part way shows its cause in the log: printed with the failure.)
      expect(r.stderr, r.stdout).toMatch(/unsupported: [\w.[\]]+: |invalid|not supported|must|cannot/);
      expect((await signed(`/clusters/${name}`)).status).toBe(404);
      return r;
    }
    expect(r.stdout).toContain(`EKS cluster "${name}" in "${region}" region is ready`);
    await checkCluster(name, region, text);
    expect(await planAfterCreate(name, region, text)).toEqual([]);
    deletions.push(deleteInBackground(name, region));
    return r;
  }

  for (const [i, file] of files.entries()) {
    it(file, async () => {
      const original = readFileSync(path.join(EXAMPLES, file), "utf8");
      const name = `ex${String(i + 1).padStart(2, "0")}-${process.pid}`;
      const text = renamed(original, name);
      const r = await createWorking(file, name, text);
      if (r.code === 0) {
        created.push(file);
        return;
      }
      const error = r.stderr.split("\n").find((l) => l.startsWith("Error: ")) ?? "";
      refused.push({ file, error });
      // A retired Kubernetes version gets eksctl's message, as the issue asks; the rest of such a file must
      // still work, which the same file without its version line shows (as for the seed's eksworkshop.yaml).
      if (/invalid version, [\d.]+ is no longer supported, supported values: /.test(error)) {
        const doc = parseDocument(text);
        doc.deleteIn(["metadata", "version"]);
        const again = await createWorking(file, `${name}v`, renamed(String(doc), `${name}v`));
        expect(again.code, again.stderr).toBe(0);
        createdWithoutVersion.push(file);
      }
    }, 120_000);
  }

  it("deletes each cluster it created with kumulus delete cluster --wait", async () => {
    for (const { name, run } of await Promise.all(deletions)) {
      expect(run.code, `${name}: ${run.stdout}\n${run.stderr}`).toBe(0);
      expect(run.stdout).toContain("all cluster resources were deleted");
      expect((await signed(`/clusters/${name}`)).status).toBe(404);
    }
  }, 300_000);

  it("creates at least 45 of the 49 (those pinning a retired version once the version line is dropped)", () => {
    // The refusals, for the report: `npx vitest run --project e2e test/e2e/eksctl-examples.test.ts`.
    for (const r of refused) process.stdout.write(`refused ${r.file}: ${r.error}\n`);
    process.stdout.write(
      `created ${created.length} as written, ${createdWithoutVersion.length} more without a retired version\n`,
    );
    expect(created.length + createdWithoutVersion.length).toBeGreaterThanOrEqual(45);
  });
});

describe("the seed's eksworkshop.yaml", () => {
  const seed = readFileSync(path.join(ROOT, "test/fixtures/eksworkshop.yaml"), "utf8");
  const noVersion = seed.replace(/^\s*version: "1\.17"\n/m, "");
  const name = `eksworkshop-${process.pid}`;
  const copy = `eksworkshop-copy-${process.pid}`;
  const old = `eksworkshop-117-${process.pid}`;
  for (const n of [name, copy, old]) regions.set(n, "ap-southeast-1");

  afterAll(() => {
    for (const n of [name, copy, old])
      kumulus(["delete", "cluster", "--name", n, "--region", "ap-southeast-1", "--wait"]);
  }, 120_000);

  it('as written (version "1.17") is raised to the oldest supported version, saying so (documented departure)', async () => {
    // eksctl refuses it ("invalid version, 1.17 is no longer supported, supported values: …"); Kumulus makes
    // the cluster at the oldest supported version and warns (cli/config-file.ts).
    const r = kumulus(["create", "cluster", "-f", writeConfig("eksworkshop.yaml", renamed(seed, old))]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(`${r.stdout}${r.stderr}`).toMatch(
      /\[!\] {2}Kubernetes version 1\.17 is no longer supported; using 1\.\d+/,
    );
    const oldest = /using (1\.\d+), the oldest supported version/.exec(`${r.stdout}${r.stderr}`)?.[1];
    expect((await eks(`/clusters/${old}`)).cluster.version).toBe(oldest);
  });

  it("without its version line makes 3 Ready nodes over its three zones, and kubectl works right after", () => {
    const r = kumulus([
      "create",
      "cluster",
      "-f",
      writeConfig("eksworkshop-nov.yaml", renamed(noVersion, name)),
    ]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain(`EKS cluster "${name}" in "ap-southeast-1" region is ready`);
    const k = spawnSync(KUBECTL, ["get", "nodes", "-o", "json"], {
      encoding: "utf8",
      timeout: 60_000,
      env: env(),
    });
    expect(k.status, k.stderr).toBe(0);
    const nodes: NodeItem[] = JSON.parse(k.stdout).items;
    expect(nodes.filter(ready)).toHaveLength(3);
    const zones = new Set(nodes.map((n) => n.metadata.labels["topology.kubernetes.io/zone"]));
    expect(zones.size).toBe(3);
  });

  it("--dry-run prints the defaulted config, and creating from it gives the same cluster", async () => {
    const dry = kumulus([
      "create",
      "cluster",
      "-f",
      writeConfig("eksworkshop-dry.yaml", renamed(noVersion, name)),
      "--dry-run",
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("apiVersion: eksctl.io/v1alpha5");
    const r = kumulus([
      "create",
      "cluster",
      "-f",
      writeConfig("eksworkshop-copy.yaml", renamed(dry.stdout, copy)),
    ]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);

    const shape = async (cluster: string) => {
      const c = (await eks(`/clusters/${cluster}`)).cluster;
      const groups: string[] = (await eks(`/clusters/${cluster}/node-groups`)).nodegroups;
      const ngs = await Promise.all(
        groups.sort().map(async (g) => {
          const n = (await eks(`/clusters/${cluster}/node-groups/${g}`)).nodegroup;
          return {
            name: n.nodegroupName,
            scaling: n.scalingConfig,
            instanceTypes: n.instanceTypes,
            amiType: n.amiType,
            version: n.version,
            capacityType: n.capacityType,
            diskSize: n.diskSize,
            labels: Object.fromEntries(
              Object.entries(n.labels ?? {}).filter(([k]) => k !== "alpha.eksctl.io/cluster-name"),
            ),
          };
        }),
      );
      const addons: string[] = (await eks(`/clusters/${cluster}/addons`)).addons;
      return { version: c.version, auth: c.accessConfig, nodegroups: ngs, addons: addons.sort() };
    };
    expect(await shape(copy)).toEqual(await shape(name));
  });
});
