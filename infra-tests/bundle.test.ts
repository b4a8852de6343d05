import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";
import { functions } from "../lib/topology.ts";

// `npm run synth` for real: bundles every function's real entry with the esbuild in node_modules and writes
// the template, with a Docker binary that cannot run, so a fallback to Docker bundling would fail here.

const ROOT = path.resolve(import.meta.dirname, "..");
const out = mkdtempSync(path.join(tmpdir(), "kumulus-synth-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

it("npm run synth bundles the real handlers locally (no Docker) and writes the template", async () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
  expect(pkg.scripts.synth).toBe("tsx cdk/app.ts");
  const cdkJson = JSON.parse(readFileSync(path.join(ROOT, "cdk.json"), "utf8"));
  expect(cdkJson.app).toContain("cdk/app.ts");

  await promisify(execFile)(process.execPath, ["--import", "tsx", "cdk/app.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      CDK_OUTDIR: out,
      CDK_DOCKER: path.join(out, "no-docker-here"),
      KUMULUS_STAGE: "bundle",
      npm_config_offline: "true",
    },
    maxBuffer: 16 * 1024 * 1024,
  });

  const template = JSON.parse(readFileSync(path.join(out, "Kumulus-bundle.template.json"), "utf8"));
  const assets = JSON.parse(readFileSync(path.join(out, "Kumulus-bundle.assets.json"), "utf8"));
  const fns = Object.values(template.Resources as Record<string, any>).filter(
    (r) => r.Type === "AWS::Lambda::Function",
  );
  expect(fns).toHaveLength(Object.keys(functions).length);
  for (const fn of fns) {
    const [logical] = Object.entries(functions).find(
      ([n]) => fn.Properties.FunctionName === `kumulus-bundle-${n}`,
    )!;
    expect(fn.Properties.Handler).toBe("index.handler");
    const key: string = fn.Properties.Code.S3Key;
    const asset = assets.files[key.replace(/\.zip$/, "")];
    expect(asset, logical).toBeDefined();
    const dir = path.join(out, asset.source.path);
    const bundle = readFileSync(path.join(dir, "index.mjs"), "utf8");
    // An ESM bundle that exports `handler`, built from the real entry file.
    expect(bundle).toMatch(/export\s*\{[^}]*\bas handler\b|export\s*\{[^}]*\bhandler\b/);
    const map = JSON.parse(readFileSync(path.join(dir, "index.mjs.map"), "utf8")) as { sources: string[] };
    expect(map.sources.some((s) => s.endsWith(`functions/${logical}/index.ts`))).toBe(true);
    expect(existsSync(path.join(dir, "node_modules"))).toBe(false);
  }
});
