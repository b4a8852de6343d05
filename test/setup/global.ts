import type { TestProject } from "vitest/node";
import { freePort } from "../../local/dynamodb.ts";
import { startStack } from "../../local/stack.ts";

// One stack (one JVM, one SQS emulator) per test run; each test file uses its own cluster (brief §4). It
// serves plain HTTP so tests can use fetch; test/e2e/eks.test.ts runs the HTTPS stack `npm start` serves.

declare module "vitest" {
  export interface ProvidedContext {
    kumulusUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  process.env.KUMULUS_LOG_LEVEL ??= "warn";
  const stack = await startStack({ port: await freePort(), clusters: ["local"], http: true });
  project.provide("kumulusUrl", stack.url);
  return () => stack.stop();
}
