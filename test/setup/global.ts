import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { freePort } from "../../local/dynamodb.ts";
import { startStack } from "../../local/stack.ts";
import { loadOrCreateTls } from "../../local/tls.ts";
import { writeFastWaiters } from "./aws-waiters.ts";

// One stack (one JVM, one SQS emulator) per test run; each test file uses its own cluster (brief §4).
//
// It serves HTTPS, because kubectl sends credentials over TLS only. Every stack a test starts uses one test
// CA, made here before the test workers fork: NODE_EXTRA_CA_CERTS (read when a process starts) makes the
// workers' fetch trust it, and kubeconfigs carry it as certificate-authority-data.

declare module "vitest" {
  export interface ProvidedContext {
    kumulusUrl: string;
    kumulusAdminKey: { accessKeyId: string; secretAccessKey: string };
    /** The directory of the test CA (ca.pem, ca-key.pem) that every test stack serves with. */
    kumulusCaDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  process.env.KUMULUS_LOG_LEVEL ??= "warn";
  // Shorter than EKS's 15 minutes (and the stack's own 45 s and 120 s): a drain that a PodDisruptionBudget
  // holds, such as deleting a cluster's last node group under coredns's budget, gives up sooner, so the
  // suite fits its time. Tests of those deadlines read them from here.
  process.env.KUMULUS_NODEGROUP_DRAIN_TIMEOUT_SECONDS ??= "15";
  process.env.KUMULUS_NODEGROUP_EVICTION_TIMEOUT_SECONDS ??= "20";
  const caDir = mkdtempSync(path.join(tmpdir(), "kumulus-test-ca-"));
  await loadOrCreateTls(caDir);
  process.env.NODE_EXTRA_CA_CERTS = path.join(caDir, "ca.pem");
  process.env.KUMULUS_TEST_CA_DIR = caDir;
  writeFastWaiters(path.join(caDir, "aws-models"));
  const stack = await startStack({ port: await freePort(), clusters: ["local"], caDir });
  project.provide("kumulusUrl", stack.url);
  project.provide("kumulusCaDir", caDir);
  project.provide(
    "kumulusAdminKey",
    JSON.parse(readFileSync(path.join(stack.filesDir, "admin-key.json"), "utf8")),
  );
  return () => stack.stop();
}
