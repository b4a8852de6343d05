import path from "node:path";
import { parseArgs } from "node:util";
import { log } from "../lib/log.ts";
import { startStack } from "./stack.ts";

// `npm start -- --port P --data-dir DIR | --in-memory [--http]`: the whole stack in one process, on
// https://127.0.0.1:P (plain HTTP only with --http).

const { values } = parseArgs({
  options: {
    port: { type: "string", default: process.env.PORT ?? "8080" },
    host: { type: "string", default: "127.0.0.1" },
    "data-dir": { type: "string" },
    "in-memory": { type: "boolean", default: false },
    nodes: { type: "string", default: "3" },
    "node-type": { type: "string" },
    cluster: { type: "string", multiple: true },
    http: { type: "boolean", default: false },
  },
  strict: true,
});

const dataDir = values["in-memory"]
  ? undefined
  : path.resolve(values["data-dir"] ?? path.join(".kumulus", "data"));
const stack = await startStack({
  port: Number(values.port),
  host: values.host,
  dataDir,
  clusters: values.cluster ?? ["local"],
  nodes: Number(values.nodes),
  ...(values["node-type"] ? { nodeType: values["node-type"] } : {}),
  http: values.http,
});
process.stdout.write(
  [
    `Kumulus at ${stack.url} (cluster "local": ${stack.url}/clusters/local)`,
    ...(dataDir ? [] : [`In memory; the stack's files are in ${stack.filesDir}`]),
    ...(stack.caPem ? [`CA certificate: ${path.join(stack.filesDir, "ca.pem")}`] : []),
    `AWS CLI: . ${path.join(stack.filesDir, "aws.env")} && aws eks update-kubeconfig --name local`,
    "",
  ].join("\n"),
);

let stopping = false;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    // A second signal means the user does not want to wait.
    if (stopping) process.exit(130);
    stopping = true;
    log("info", "shutting down", { signal: sig });
    setTimeout(() => {
      log("warn", "shutdown took too long, exiting");
      process.exit(1);
    }, 20_000).unref();
    stack.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
