import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type AuthMap, addMapping, removeMapping } from "../../cli/aws-auth.ts";
import { parseIni, profileSettings } from "../../cli/aws-config.ts";
import { resolveEndpoint } from "../../cli/eks-client.ts";
import { removeEksctlKubeconfig, userNameOf, writeEksctlKubeconfig } from "../../cli/kubeconfig.ts";

// What the CLI reads from the user's AWS setup, the kubeconfig it writes, and its edits of aws-auth.

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe("the EKS endpoint", () => {
  it("comes from --endpoint, then KUMULUS_ENDPOINT, AWS_ENDPOINT_URL_EKS, AWS_ENDPOINT_URL, the profile", () => {
    for (const k of ["KUMULUS_ENDPOINT", "AWS_ENDPOINT_URL_EKS", "AWS_ENDPOINT_URL"]) delete process.env[k];
    expect(resolveEndpoint({}, undefined)).toBeUndefined();
    expect(resolveEndpoint({}, "https://profile:1/")).toBe("https://profile:1");
    process.env.AWS_ENDPOINT_URL = "https://all:1";
    expect(resolveEndpoint({}, "https://profile:1")).toBe("https://all:1");
    process.env.AWS_ENDPOINT_URL_EKS = "https://eks:1";
    expect(resolveEndpoint({}, "https://profile:1")).toBe("https://eks:1");
    process.env.KUMULUS_ENDPOINT = "https://kumulus:1";
    expect(resolveEndpoint({}, "https://profile:1")).toBe("https://kumulus:1");
    expect(resolveEndpoint({ endpoint: "https://flag:1" }, "https://profile:1")).toBe("https://flag:1");
  });

  it("reads region, endpoint_url and ca_bundle of the named profile", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cli-config-"));
    const file = path.join(dir, "config");
    writeFileSync(
      file,
      "[default]\nregion = eu-west-1\n\n[profile kumulus]\nregion = us-east-1\nendpoint_url = https://127.0.0.1:8080\nca_bundle = /d/ca.pem\ns3 =\n  addressing_style = path\n",
    );
    process.env.AWS_CONFIG_FILE = file;
    expect(profileSettings("kumulus")).toEqual({
      region: "us-east-1",
      endpointUrl: "https://127.0.0.1:8080",
      caBundle: "/d/ca.pem",
    });
    expect(profileSettings("default").region).toBe("eu-west-1");
    expect(parseIni("[a]\n; comment\nk = v = w\n").get("a")).toEqual({ k: "v = w" });
  });
});

describe("kubeconfig", () => {
  it("uses eksctl's names, merges with what is there, and is removed again", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cli-kubeconfig-"));
    const file = path.join(dir, "config");
    writeFileSync(
      file,
      "apiVersion: v1\nkind: Config\nclusters:\n- name: other\n  cluster: {server: https://x}\ncontexts: []\nusers: []\ncurrent-context: other\n",
    );
    const ctx = writeEksctlKubeconfig({
      file,
      cluster: "demo",
      region: "us-east-1",
      server: "https://127.0.0.1:8080/clusters/demo",
      caData: "Q0E=",
      callerArn: "arn:aws:iam::123456789012:user/alice",
      profile: "kumulus",
      setContext: true,
    });
    expect(ctx).toBe("alice@demo.us-east-1.eksctl.io");
    const cfg = parse(readFileSync(file, "utf8"));
    expect(cfg["current-context"]).toBe(ctx);
    expect(cfg.clusters.map((c: { name: string }) => c.name)).toEqual(["other", "demo.us-east-1.eksctl.io"]);
    expect(cfg.clusters[1].cluster).toEqual({
      "certificate-authority-data": "Q0E=",
      server: "https://127.0.0.1:8080/clusters/demo",
    });
    expect(cfg.users[0].user.exec).toMatchObject({
      apiVersion: "client.authentication.k8s.io/v1beta1",
      command: "aws",
      args: ["eks", "get-token", "--output", "json", "--cluster-name", "demo", "--region", "us-east-1"],
      env: [
        { name: "AWS_STS_REGIONAL_ENDPOINTS", value: "regional" },
        { name: "AWS_PROFILE", value: "kumulus" },
      ],
    });
    expect(removeEksctlKubeconfig(file, "demo", "us-east-1")).toBe(true);
    const after = parse(readFileSync(file, "utf8"));
    expect(after.clusters.map((c: { name: string }) => c.name)).toEqual(["other"]);
    expect(after.users).toEqual([]);
  });

  it("names the user after the caller's ARN", () => {
    expect(userNameOf("arn:aws:iam::1:root")).toBe("iam-root-account");
    expect(userNameOf("arn:aws:sts::1:assumed-role/Admin/session")).toBe("session");
  });
});

describe("aws-auth mappings", () => {
  const empty = (): AuthMap => ({ mapRoles: [], mapUsers: [], mapAccounts: [] });

  it("adds roles, users and accounts once, and removes the last match of an ARN", () => {
    const m = empty();
    const role = { arn: "arn:aws:iam::1:role/ops", username: "ops", groups: ["system:masters"] };
    expect(addMapping(m, role)).toBe(true);
    expect(addMapping(m, role)).toBe(false);
    expect(addMapping(m, { arn: "arn:aws:iam::1:user/bob", username: "bob" })).toBe(true);
    expect(addMapping(m, { account: "1" })).toBe(true);
    expect(m.mapRoles).toEqual([{ rolearn: role.arn, username: "ops", groups: ["system:masters"] }]);
    expect(m.mapUsers).toEqual([{ userarn: "arn:aws:iam::1:user/bob", username: "bob" }]);
    expect(m.mapAccounts).toEqual(["1"]);
    expect(() => addMapping(m, { arn: role.arn, username: "other" }, true)).toThrow(
      `ARN "${role.arn}" already exists in the auth ConfigMap`,
    );
    expect(removeMapping(m, role.arn, false)).toEqual([
      { rolearn: role.arn, username: "ops", groups: ["system:masters"] },
    ]);
    expect(m.mapRoles).toEqual([]);
  });
});
