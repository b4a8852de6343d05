import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, request, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadOrCreateTls, type StackTls } from "../../local/tls.ts";

const run = promisify(execFile);

/** Resolves a binary on PATH (or an absolute path) so tool-specific tests can skip when it is absent. */
function which(bin: string): string | undefined {
  if (bin.startsWith("/")) return existsSync(bin) ? bin : undefined;
  for (const d of (process.env.PATH ?? "").split(":")) {
    if (d && existsSync(join(d, bin))) return join(d, bin);
  }
  return undefined;
}

function get(url: string, ca?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // family 4: the server listens on 127.0.0.1 only, while "localhost" may resolve to ::1 first.
    const req = request(url, { ca, family: 4, rejectUnauthorized: true, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("loadOrCreateTls", () => {
  let dir: string;
  let tls: StackTls;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "kumulus-tls-"));
    tls = await loadOrCreateTls(dir, ["kumulus.test", "10.1.2.3"]);
    server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ major: "1", minor: "31", gitVersion: "v1.31.0", path: req.url }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("persists the CA with a private key file", async () => {
    expect((await stat(join(dir, "ca-key.pem"))).mode & 0o777).toBe(0o600);
    expect(Buffer.from(tls.caData, "base64").toString()).toBe(tls.caPem);
    expect(tls.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it("issues a CA and a leaf with the expected extensions", () => {
    const ca = new X509Certificate(tls.caPem);
    const leaf = new X509Certificate(tls.certPem);
    expect(ca.ca).toBe(true);
    expect(ca.subject).toBe("CN=kumulus-ca");
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]);
    expect(leaf.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(leaf.checkIP("::1")).toBeDefined();
    expect(leaf.checkHost("localhost")).toBe("localhost");
    expect(leaf.checkHost("kumulus.test")).toBe("kumulus.test");
    expect(leaf.checkIP("10.1.2.3")).toBe("10.1.2.3");
    expect(leaf.checkHost("example.com")).toBeUndefined();
    const years = (Date.parse(leaf.validTo) - Date.now()) / (365 * 24 * 3600 * 1000);
    expect(years).toBeGreaterThan(0.99);
    expect(years).toBeLessThanOrEqual(1);
    expect(Date.parse(ca.validTo) - Date.now()).toBeGreaterThan(9.9 * 365 * 24 * 3600 * 1000);
  });

  it("is trusted with the CA, by IP and by name", async () => {
    const byIp = await get(`https://127.0.0.1:${port}/version`, tls.caPem);
    expect(byIp.status).toBe(200);
    expect(JSON.parse(byIp.body).path).toBe("/version");
    const byName = await get(`https://localhost:${port}/version`, tls.caPem);
    expect(byName.status).toBe(200);
  });

  it("is rejected without the CA", async () => {
    const err = (await get(`https://127.0.0.1:${port}/`).then(
      () => undefined,
      (e: NodeJS.ErrnoException) => e,
    )) as NodeJS.ErrnoException | undefined;
    expect(err?.code).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|SELF_SIGNED/);
  });

  it("keeps the CA across loads and issues a fresh leaf", async () => {
    const again = await loadOrCreateTls(dir);
    expect(again.caPem).toBe(tls.caPem);
    expect(again.certPem).not.toBe(tls.certPem);
    const leaf = new X509Certificate(again.certPem);
    expect(leaf.checkIssued(new X509Certificate(tls.caPem))).toBe(true);
    expect(leaf.serialNumber).not.toBe(new X509Certificate(tls.certPem).serialNumber);
  });

  it("refuses a CA key that does not match the certificate", async () => {
    const other = await mkdtemp(join(tmpdir(), "kumulus-tls-"));
    try {
      await loadOrCreateTls(other);
      const third = await mkdtemp(join(tmpdir(), "kumulus-tls-"));
      await loadOrCreateTls(third);
      await writeFile(join(other, "ca-key.pem"), await readFile(join(third, "ca-key.pem")));
      await rm(third, { recursive: true, force: true });
      await expect(loadOrCreateTls(other)).rejects.toThrow(/does not match/);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it.skipIf(!which("openssl"))("passes openssl verify", async () => {
    const leafFile = join(dir, "server.pem");
    await writeFile(leafFile, tls.certPem);
    const { stdout } = await run("openssl", [
      "verify",
      "-purpose",
      "sslserver",
      "-CAfile",
      join(dir, "ca.pem"),
      leafFile,
    ]);
    expect(stdout.trim()).toBe(`${leafFile}: OK`);
  });

  it.skipIf(!which("/usr/bin/python3"))(
    "is trusted by Python's ssl",
    async () => {
      const script = [
        "import ssl, sys, urllib.request",
        "ctx = ssl.create_default_context(cafile=sys.argv[1])",
        "for url in sys.argv[2:]:",
        "    print(urllib.request.urlopen(url, context=ctx, timeout=10).status)",
      ].join("\n");
      // Async exec: the server lives in this process, so a blocking spawn would deadlock it.
      const { stdout } = await run("/usr/bin/python3", [
        "-c",
        script,
        join(dir, "ca.pem"),
        `https://127.0.0.1:${port}/version`,
        `https://localhost:${port}/version`,
      ]);
      expect(stdout.trim().split("\n")).toEqual(["200", "200"]);
      const rejected = await run("/usr/bin/python3", [
        "-c",
        "import ssl, sys, urllib.request\ntry:\n    urllib.request.urlopen(sys.argv[1], timeout=10)\nexcept Exception as e:\n    print(type(getattr(e, 'reason', e)).__name__)",
        `https://127.0.0.1:${port}/version`,
      ]);
      expect(rejected.stdout.trim()).toBe("SSLCertVerificationError");
    },
    30_000,
  );

  it.skipIf(!which("kubectl"))(
    "is trusted by Go's crypto/tls (kubectl)",
    async () => {
      const { stdout } = await run(
        "kubectl",
        [
          `--server=https://127.0.0.1:${port}`,
          `--certificate-authority=${join(dir, "ca.pem")}`,
          // Without credentials kubectl prompts for a username and would wait on stdin forever.
          "--token=unused",
          "--request-timeout=10s",
          "get",
          "--raw",
          "/version",
        ],
        { env: { ...process.env, KUBECONFIG: join(dir, "no-kubeconfig") } },
      );
      expect(JSON.parse(stdout).path).toMatch(/^\/version/);
    },
    30_000,
  );
});
