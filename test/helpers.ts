import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { inject } from "vitest";
import { writeKubeconfig } from "../cli/kubeconfig.ts";
import { type AwsKey, adminKeyOf, eksToken, registerStackKey, signedFetch } from "./auth.ts";

export const KUBECTL = process.env.KUBECTL ?? "/usr/bin/kubectl";

/** The test CA every test stack serves with (see test/setup/global.ts). */
export function testCaDir(): string {
  return inject("kumulusCaDir");
}

/** base64 of the test CA, as kubeconfigs carry it (certificate-authority-data); undefined for http. */
export function caDataFor(url: string): string | undefined {
  if (!url.startsWith("https:")) return undefined;
  return readFileSync(path.join(testCaDir(), "ca.pem")).toString("base64");
}

/**
 * The environment the aws CLI runs in for a test: no profile or config files, the stack as its endpoint for
 * every service (AWS_ENDPOINT_URL), the test CA, fast-polling waiters, and `key` as the credentials.
 */
export function awsCliEnv(
  url: string,
  key: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  home: string,
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: home,
    AWS_CONFIG_FILE: path.join(home, "none"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, "none"),
    AWS_ENDPOINT_URL: url,
    AWS_CA_BUNDLE: path.join(testCaDir(), "ca.pem"),
    // `aws eks wait` polling every second (test/setup/aws-waiters.ts).
    AWS_DATA_PATH: path.join(testCaDir(), "aws-models"),
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: key.accessKeyId,
    AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    ...(key.sessionToken ? { AWS_SESSION_TOKEN: key.sessionToken } : {}),
  };
}

export function stackUrl(): string {
  const url = inject("kumulusUrl");
  registerStackKey(url, inject("kumulusAdminKey"));
  return url;
}

export interface TestCluster {
  name: string;
  /** Base URL of the cluster's Kubernetes API. */
  base: string;
  kubeconfig: string;
  kubectl(args: string[], input?: string): KubectlResult;
  /** kubectl without blocking this process (needed when the stack runs in the test's own process). */
  kubectlP(args: string[]): Promise<KubectlResult>;
  kubectlAsync(args: string[]): { proc: ReturnType<typeof spawn>; output: () => string };
  /** The admin's bearer token for this cluster (current). */
  token(): string;
  api(
    method: string,
    p: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; text: string; headers: Headers }>;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

let counter = 0;
const ROLE_ARN = "arn:aws:iam::000000000000:role/kumulus-test";

/** Tokens are good for 15 minutes; test files re-sign well before that. */
const TOKEN_REFRESH_MS = 5 * 60_000;

/**
 * A fresh cluster on the shared stack (or the stack at `url`), created with the stack's admin key through
 * the EKS API, with a kubeconfig whose token the authenticator verifies like any other.
 */
export async function newCluster(
  prefix: string,
  nodes = 0,
  url = stackUrl(),
  key: AwsKey = adminKeyOf(url),
): Promise<TestCluster> {
  const name = `${prefix}-${process.pid}-${++counter}`.slice(0, 60);
  // CreateCluster of the EKS API, with Kumulus' `nodes` extension.
  const res = await signedFetch(
    `${url}/clusters`,
    {
      method: "POST",
      // 1.32: the kubectl the suite drives, so no version-skew warnings.
      // m5.xlarge (4 cpu), the shape the suite's scheduling tests assume, rather than the extension's m5.large.
      body: JSON.stringify({
        name,
        nodes,
        ...(nodes ? { nodeType: "m5.xlarge" } : {}),
        version: "1.32",
        roleArn: ROLE_ARN,
        resourcesVpcConfig: {},
      }),
      headers: { "content-type": "application/json" },
    },
    key,
  );
  if (res.status !== 200) throw new Error(`creating cluster ${name}: ${res.status} ${await res.text()}`);
  const dir = mkdtempSync(path.join(tmpdir(), "kumulus-test-"));
  const kubeconfig = path.join(dir, "kubeconfig");
  let token = await eksToken(url, name, key);
  const caData = caDataFor(url);
  writeKubeconfig(kubeconfig, name, url, caData, { token });
  const refresh = setInterval(async () => {
    token = await eksToken(url, name, key);
    writeKubeconfig(kubeconfig, name, url, caData, { token });
  }, TOKEN_REFRESH_MS);
  refresh.unref();
  const base = `${url}/clusters/${name}`;
  const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: dir };
  return {
    name,
    base,
    kubeconfig,
    kubectl(args, input) {
      const r = spawnSync(KUBECTL, args, { env, input, encoding: "utf8", timeout: 60_000 });
      return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
    },
    kubectlP(args) {
      return new Promise((resolve) => {
        const proc = spawn(KUBECTL, args, { env });
        let stdout = "";
        let stderr = "";
        proc.stdout.on("data", (d) => {
          stdout += d.toString();
        });
        proc.stderr.on("data", (d) => {
          stderr += d.toString();
        });
        proc.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
      });
    },
    kubectlAsync(args) {
      const proc = spawn(KUBECTL, args, { env });
      let out = "";
      proc.stdout.on("data", (d) => {
        out += d.toString();
      });
      proc.stderr.on("data", (d) => {
        out += d.toString();
      });
      return { proc, output: () => out };
    },
    token: () => token,
    async api(method, p, body, headers = {}) {
      const r = await fetch(`${base}${p}`, {
        method,
        headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await r.text();
      let parsed: any;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: r.status, body: parsed, text, headers: r.headers };
    },
  };
}

export function writeTemp(name: string, content: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "kumulus-file-"));
  const f = path.join(dir, name);
  writeFileSync(f, content);
  return f;
}

export async function waitFor<T>(
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  // Most checks spawn kubectl or the aws CLI: polling slower as the wait goes on leaves the CPU to the stack.
  let delay = 100;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      // Not there yet (kubectl printed NotFound, an expectation inside the check failed): try again, and
      // report the last failure if the wait runs out.
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message ?? last}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(500, Math.ceil(delay * 1.5));
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The aws CLI with JSON output, run without blocking the event loop (so a watcher in the same test keeps
 * reading): `run` gives the result as it is, `json` insists on success and parses the output.
 */
export function awsCli(env: () => NodeJS.ProcessEnv): {
  run(args: string[]): Promise<CliResult>;
  json(args: string[]): Promise<any>;
} {
  const run = (args: string[]) =>
    new Promise<CliResult>((resolve) => {
      const proc = spawn("aws", [...args, "--output", "json"], { env: env() });
      let stdout = "";
      let stderr = "";
      proc.stdout.on("data", (d) => {
        stdout += d;
      });
      proc.stderr.on("data", (d) => {
        stderr += d;
      });
      proc.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  return {
    run,
    async json(args) {
      const r = await run(args);
      if (r.code !== 0) throw new Error(`aws ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    },
  };
}
