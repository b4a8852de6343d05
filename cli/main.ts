import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { homedir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { writeKubeconfig } from "./kubeconfig.ts";

// A minimal eksctl-shaped CLI. The full ClusterConfig-driven CLI is on the roadmap.

const USAGE = `Usage:
  kumulus create cluster --name NAME [--nodes N] [--endpoint URL]
  kumulus get clusters [--endpoint URL]
  kumulus utils write-kubeconfig --cluster NAME [--kubeconfig FILE] [--endpoint URL]

The endpoint defaults to $KUMULUS_ENDPOINT (set by the stack's aws.env) or https://127.0.0.1:8080;
$AWS_CA_BUNDLE names the CA it trusts.`;

const argv = process.argv.slice(2);
const { values, positionals } = parseArgs({
  args: argv,
  allowPositionals: true,
  options: {
    name: { type: "string" },
    cluster: { type: "string" },
    endpoint: { type: "string" },
    kubeconfig: { type: "string" },
    nodes: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
const endpoint = (values.endpoint ?? process.env.KUMULUS_ENDPOINT ?? "https://127.0.0.1:8080").replace(
  /\/$/,
  "",
);
const command = positionals.slice(0, 2).join(" ");

function fail(msg: string): never {
  process.stderr.write(`Error: ${msg}\n`);
  process.exit(1);
}

// node:https rather than fetch: the stack's CA ($AWS_CA_BUNDLE, set by D/aws.env) must be trusted per request.
function call(method: string, p: string, body?: unknown): Promise<{ status: number; json: any }> {
  const url = new URL(`${endpoint}${p}`);
  const ca = process.env.AWS_CA_BUNDLE ? readFileSync(process.env.AWS_CA_BUNDLE) : undefined;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve) => {
    const req = (url.protocol === "https:" ? https : http).request(
      url,
      { method, ca, headers: { "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () => {
          let json: any = {};
          try {
            json = JSON.parse(text);
          } catch {}
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on("error", (e) =>
      fail(`cannot reach Kumulus at ${endpoint}: ${e.message}. Is \`npm start\` running?`),
    );
    req.end(payload);
  });
}

async function main(): Promise<void> {
  if (values.help || positionals.length === 0) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  switch (command) {
    case "create cluster": {
      const name = values.name ?? fail("--name is required");
      const { status, json } = await call("POST", "/clusters", {
        name,
        roleArn: "arn:aws:iam::000000000000:role/kumulus-cluster",
        resourcesVpcConfig: {},
        nodes: values.nodes ? Number(values.nodes) : undefined,
      });
      if (status === 409) fail(`cluster "${name}" already exists`);
      if (status !== 200) fail(json.message ?? `unexpected status ${status}`);
      process.stdout.write(`cluster "${name}" created; its Kubernetes API is ${json.cluster.endpoint}\n`);
      if (values.kubeconfig) {
        writeKubeconfig(values.kubeconfig, name, endpoint, json.cluster.certificateAuthority?.data);
        process.stdout.write(`kubeconfig written to ${values.kubeconfig}\n`);
      }
      return;
    }
    case "get clusters":
    case "get cluster": {
      const { json } = await call("GET", "/clusters");
      process.stdout.write(`NAME\n${(json.clusters as string[]).join("\n")}\n`);
      return;
    }
    case "utils write-kubeconfig": {
      const cluster = values.cluster ?? values.name ?? fail("--cluster is required");
      const file =
        values.kubeconfig ?? process.env.KUBECONFIG?.split(":")[0] ?? path.join(homedir(), ".kube", "config");
      const { status, json } = await call("GET", `/clusters/${encodeURIComponent(cluster)}`);
      if (status !== 200) fail(`cluster "${cluster}" not found at ${endpoint}`);
      writeKubeconfig(file, cluster, endpoint, json.cluster.certificateAuthority?.data);
      process.stdout.write(`kubeconfig for cluster "${cluster}" written to ${file}\n`);
      return;
    }
    default:
      fail(`unknown command "${command}"\n${USAGE}`);
  }
}

await main();
