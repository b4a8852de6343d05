import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shellQuote, writeAwsEnv } from "../../local/aws-env.ts";
import { loadOrCreateTls } from "../../local/tls.ts";

const run = promisify(execFile);

function which(bin: string): string | undefined {
  for (const d of (process.env.PATH ?? "").split(":")) {
    if (d && existsSync(join(d, bin))) return join(d, bin);
  }
  return undefined;
}
const hasAws = which("aws") !== undefined;

/** The runner's own AWS_* settings must not leak into what the sourced file is supposed to decide. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("AWS_")) env[k] = v;
  return { ...env, ...extra };
}

/** Runs `script` in bash after sourcing `envFile`, asynchronously: test servers live in this process. */
async function sourced(envFile: string, script: string, extra: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run("bash", ["-c", `. "$1" && ${script}`, "bash", envFile], {
    env: cleanEnv(extra),
    timeout: 60_000,
  });
  return stdout;
}

async function sourcedEnv(envFile: string, extra: Record<string, string> = {}): Promise<Map<string, string>> {
  const out = await sourced(envFile, "env -0", extra);
  return new Map(
    out
      .split("\0")
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)] as [string, string]),
  );
}

/** The URL an EKS token wraps: get-token base64url-encodes a presigned STS GetCallerIdentity. */
function presignedUrl(token: string): URL {
  expect(token.startsWith("k8s-aws-v1.")).toBe(true);
  return new URL(Buffer.from(token.slice("k8s-aws-v1.".length), "base64url").toString("utf8"));
}

const execToken = (execCredentialJson: string): string => JSON.parse(execCredentialJson).status.token;

describe("writeAwsEnv", () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "kumulus-awsenv-"));
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("writes a profile, 0600 credentials and an env file that survive awkward paths", async () => {
    // Spaces, a single quote and a dollar sign would all break naive quoting.
    const dataDir = join(root, "data dir 'q' $HOME");
    const caFile = join(dataDir, "ca.pem");
    const envFile = await writeAwsEnv({
      // Relative on purpose: everything written must still be absolute.
      dataDir: relative(process.cwd(), dataDir),
      endpoint: "https://127.0.0.1:4443",
      region: "us-east-1",
      accessKeyId: "AKIDTEST",
      secretAccessKey: "secret/with+chars",
      caFile,
    });
    expect(envFile).toBe(join(dataDir, "aws.env"));
    expect((await stat(join(dataDir, "aws", "credentials"))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dataDir, "aws", "config"), "utf8")).toBe(
      [
        "[profile kumulus]",
        "region = us-east-1",
        "endpoint_url = https://127.0.0.1:4443",
        `ca_bundle = ${caFile}`,
        "output = json",
        "",
      ].join("\n"),
    );
    expect(await readFile(join(dataDir, "aws", "credentials"), "utf8")).toBe(
      "[kumulus]\naws_access_key_id = AKIDTEST\naws_secret_access_key = secret/with+chars\n",
    );

    const env = await sourcedEnv(envFile, { AWS_ACCESS_KEY_ID: "AKIDREAL", AWS_SESSION_TOKEN: "tok" });
    expect(env.get("AWS_CONFIG_FILE")).toBe(join(dataDir, "aws", "config"));
    expect(env.get("AWS_SHARED_CREDENTIALS_FILE")).toBe(join(dataDir, "aws", "credentials"));
    expect(env.get("AWS_PROFILE")).toBe("kumulus");
    expect(env.get("AWS_REGION")).toBe("us-east-1");
    expect(env.get("AWS_DEFAULT_REGION")).toBe("us-east-1");
    expect(env.get("AWS_CA_BUNDLE")).toBe(caFile);
    expect(env.get("AWS_ENDPOINT_URL")).toBe("https://127.0.0.1:4443");
    expect(env.get("KUMULUS_ENDPOINT")).toBe("https://127.0.0.1:4443");
    // Credentials already in the shell would outrank the profile's.
    expect(env.has("AWS_ACCESS_KEY_ID")).toBe(false);
    expect(env.has("AWS_SESSION_TOKEN")).toBe(false);
  });

  it("leaves out the CA bundle over plain HTTP and clears a stale one", async () => {
    const dataDir = join(root, "http");
    const envFile = await writeAwsEnv({
      dataDir,
      endpoint: "http://127.0.0.1:4080",
      region: "eu-west-1",
      accessKeyId: "a",
      secretAccessKey: "b",
    });
    expect(await readFile(join(dataDir, "aws", "config"), "utf8")).not.toContain("ca_bundle");
    const env = await sourcedEnv(envFile, { AWS_CA_BUNDLE: "/stale.pem" });
    expect(env.has("AWS_CA_BUNDLE")).toBe(false);
    expect(env.get("AWS_REGION")).toBe("eu-west-1");
    expect(env.get("KUMULUS_ENDPOINT")).toBe("http://127.0.0.1:4080");
  });

  it("refuses values that would inject INI lines", async () => {
    await expect(
      writeAwsEnv({
        dataDir: join(root, "bad"),
        endpoint: "https://x\n[profile evil]",
        region: "us-east-1",
        accessKeyId: "a",
        secretAccessKey: "b",
      }),
    ).rejects.toThrow(/line break/);
  });

  it("quotes for POSIX shells", async () => {
    for (const s of ["plain/path-1.2", "a b", "it's", "$(touch /tmp/x)", "`id`", "back\\slash", "", "x\ny"]) {
      const { stdout } = await run("sh", ["-c", `printf %s ${shellQuote(s)}`]);
      expect(stdout).toBe(s);
    }
  });

  it.skipIf(!hasAws)(
    "is parsed by the aws CLI",
    async () => {
      const envFile = await writeAwsEnv({
        dataDir: join(root, "cli"),
        endpoint: "https://127.0.0.1:4443",
        region: "us-east-1",
        accessKeyId: "AKIDTEST",
        secretAccessKey: "s",
        caFile: join(root, "cli", "ca.pem"),
      });
      const out = await sourced(
        envFile,
        "aws configure get endpoint_url && aws configure get ca_bundle && aws configure get aws_access_key_id",
      );
      expect(out.trim().split("\n")).toEqual([
        "https://127.0.0.1:4443",
        join(root, "cli", "ca.pem"),
        "AKIDTEST",
      ]);
    },
    60_000,
  );
});

describe.skipIf(!hasAws)("aws CLI against a local HTTPS endpoint", () => {
  let root: string;
  let server: Server;
  let port: number;
  let envFile: string;
  let caData: string;
  const seen: { method?: string; url?: string; host?: string; authorization?: string }[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "kumulus-awsenv-"));
    const dataDir = join(root, "e2e");
    const tls = await loadOrCreateTls(dataDir);
    server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
      seen.push({
        method: req.method,
        url: req.url,
        host: req.headers.host,
        authorization: req.headers.authorization,
      });
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ clusters: [] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
    caData = tls.caData;
    envFile = await writeAwsEnv({
      dataDir,
      endpoint: `https://127.0.0.1:${port}`,
      region: "us-east-1",
      accessKeyId: "AKIDKUMULUS",
      secretAccessKey: "kumulus-secret",
      caFile: join(dataDir, "ca.pem"),
    });
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("sends aws eks list-clusters to the stack over verified TLS", async () => {
    seen.length = 0;
    const out = await sourced(envFile, "aws eks list-clusters");
    expect(JSON.parse(out)).toEqual({ clusters: [] });
    expect(seen).toHaveLength(1);
    expect(seen[0].method).toBe("GET");
    expect(seen[0].url).toBe("/clusters");
    expect(seen[0].host).toBe(`127.0.0.1:${port}`);
    expect(seen[0].authorization).toMatch(/Credential=AKIDKUMULUS\/\d{8}\/us-east-1\/eks\/aws4_request/);
  }, 60_000);

  it("fails when the bundle is a different CA, so verification is really on", async () => {
    const otherDir = join(root, "other-ca");
    await mkdir(otherDir, { recursive: true });
    await loadOrCreateTls(otherDir);
    seen.length = 0;
    const failed = await sourced(
      envFile,
      `AWS_CA_BUNDLE=${shellQuote(join(otherDir, "ca.pem"))} AWS_MAX_ATTEMPTS=1 aws eks list-clusters 2>&1 || echo EXIT=$?`,
    );
    expect(failed).toMatch(/SSL.*(CERTIFICATE_VERIFY_FAILED|certificate verify failed)/i);
    expect(failed).toMatch(/EXIT=\d+/);
  }, 60_000);

  it("makes aws eks get-token presign for the stack's STS, with or without AWS_ENDPOINT_URL", async () => {
    seen.length = 0;
    const withEnv = presignedUrl(execToken(await sourced(envFile, "aws eks get-token --cluster-name x")));
    // The profile's endpoint_url alone must be enough: kubectl's exec plugin may run without our env.
    const profileOnly = presignedUrl(
      execToken(await sourced(envFile, "unset AWS_ENDPOINT_URL && aws eks get-token --cluster-name x")),
    );
    for (const url of [withEnv, profileOnly]) {
      expect(url.origin).toBe(`https://127.0.0.1:${port}`);
      expect(url.searchParams.get("Action")).toBe("GetCallerIdentity");
      expect(url.searchParams.get("X-Amz-Credential")).toMatch(/^AKIDKUMULUS\/\d{8}\/us-east-1\/sts\//);
      expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("host;x-k8s-aws-id");
    }
    // Presigning is local: nothing reaches the server.
    expect(seen).toHaveLength(0);
  }, 60_000);

  it.skipIf(!which("kubectl"))(
    "lets kubectl authenticate through an aws eks get-token exec plugin",
    async () => {
      // The shape `aws eks update-kubeconfig` writes, minus its DescribeCluster round trip.
      const kubeconfig = join(root, "kubeconfig");
      await writeFile(
        kubeconfig,
        JSON.stringify({
          apiVersion: "v1",
          kind: "Config",
          clusters: [
            {
              name: "x",
              cluster: { server: `https://127.0.0.1:${port}`, "certificate-authority-data": caData },
            },
          ],
          users: [
            {
              name: "x",
              user: {
                exec: {
                  apiVersion: "client.authentication.k8s.io/v1beta1",
                  command: "aws",
                  args: [
                    "--region",
                    "us-east-1",
                    "eks",
                    "get-token",
                    "--cluster-name",
                    "x",
                    "--output",
                    "json",
                  ],
                  interactiveMode: "Never",
                },
              },
            },
          ],
          contexts: [{ name: "x", context: { cluster: "x", user: "x" } }],
          "current-context": "x",
        }),
      );
      seen.length = 0;
      await sourced(envFile, `kubectl --kubeconfig ${shellQuote(kubeconfig)} get --raw /version`);
      const auth = seen.find((r) => r.url?.startsWith("/version"))?.authorization ?? "";
      expect(auth).toMatch(/^Bearer k8s-aws-v1\./);
      expect(presignedUrl(auth.slice("Bearer ".length)).host).toBe(`127.0.0.1:${port}`);
    },
    60_000,
  );
});
