import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

// The layering rule of lib/ (.dependency-cruiser.cjs) holds for the tree, its room lists form no cycle, and it
// refuses the imports it exists to refuse, shown on a deliberately bad tree (test/fixtures/layering).

const root = path.resolve(import.meta.dirname, "../..");
const config = path.join(root, ".dependency-cruiser.cjs");
const bin = path.join(root, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");
const run = promisify(execFile);

async function cruise(cwd: string, ...targets: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await run(process.execPath, [bin, ...targets, "--config", config, "--output-type", "err"], {
      cwd,
    });
    return { code: 0, out: r.stdout };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: `${err.stdout}${err.stderr}` };
  }
}

describe("layering of lib/", () => {
  it("the room lists point one way: no cycle between rooms", () => {
    const rooms = createRequire(import.meta.url)(config).rooms as Record<string, string[]>;
    const state = new Map<string, "visiting" | "done">();
    const visit = (room: string, trail: string[]): void => {
      if (state.get(room) === "done") return;
      expect(state.get(room), `cycle: ${[...trail, room].join(" → ")}`).not.toBe("visiting");
      state.set(room, "visiting");
      for (const next of rooms[room] ?? []) {
        expect(Object.keys(rooms), `${room} lists an unknown room`).toContain(next);
        visit(next, [...trail, room]);
      }
      state.set(room, "done");
    };
    for (const room of Object.keys(rooms)) visit(room, []);
  });

  it("the tree obeys it", async () => {
    const r = await cruise(root, "lib", "functions", "local", "cli", "cdk", "bench");
    expect(r.out).toContain("no dependency violations");
    expect(r.code).toBe(0);
    // depcruise parses the whole tree: seconds on a busy 2-core machine.
  }, 60_000);

  it("refuses a controller importing the API server, the client importing a controller, a cycle between rooms and an undeclared room", async () => {
    const r = await cruise(path.join(root, "test/fixtures/layering"), "lib");
    expect(r.code).not.toBe(0);
    expect(r.out).toContain("room-controllers: lib/controllers/bad.ts → lib/apiserver/app.ts");
    expect(r.out).toContain("room-client: lib/client/bad.ts → lib/controllers/loop.ts");
    expect(r.out).toContain("room-store: lib/store/bad.ts → lib/watch/log.ts");
    expect(r.out).toContain("undeclared-room: lib/gadgets/bad.ts");
    expect(r.out).not.toContain("lib/watch/fine.ts");
  }, 60_000);
});
