import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          exclude: ["test/e2e/eks.test.ts"],
          sequence: { groupOrder: 2 },
          globalSetup: ["test/setup/global.ts"],
          setupFiles: ["test/setup/teardown.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          pool: "forks",
          // Files share one stack: a few at a time keeps a 2-core machine responsive.
          maxWorkers: 2,
        },
      },
      {
        // The HTTPS stack of `npm start` in its own process: run after the shared-stack files, so its second
        // JVM does not compete with their timings on a 2-core machine.
        test: {
          name: "https",
          include: ["test/e2e/eks.test.ts"],
          sequence: { groupOrder: 3 },
          testTimeout: 180_000,
          hookTimeout: 180_000,
          pool: "forks",
        },
      },
      {
        test: {
          name: "infra",
          include: ["infra-tests/**/*.test.ts"],
          sequence: { groupOrder: 1 },
          testTimeout: 120_000,
        },
      },
    ],
  },
});
