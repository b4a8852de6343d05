import { beforeEach, describe, expect, it } from "vitest";
import { EksError } from "../../lib/eks/errors.ts";
import { MemoryEksRepo } from "../../lib/eks/memory-repo.ts";
import { mutateCluster } from "../../lib/eks/mutate.ts";
import type { ClusterDoc, EksContext } from "../../lib/eks/repo.ts";
import { createEksApp } from "../../lib/eks/router.ts";
import { memoryEksContext } from "./eks-context.ts";

/** A repo whose compare-and-swap loses the first `losses` races, as when other writers got there first. */
class RacingRepo extends MemoryEksRepo {
  constructor(public losses: number) {
    super();
  }
  override async replace(doc: ClusterDoc, version: number): Promise<boolean> {
    if (this.losses > 0) {
      this.losses--;
      return false;
    }
    return super.replace(doc, version);
  }
}

let repo: RacingRepo;
let ctx: EksContext;

beforeEach(async () => {
  repo = new RacingRepo(0);
  ctx = memoryEksContext({ repo, region: "eu-west-1", account: "123456789012" });
  const res = await createEksApp(ctx).request("/clusters", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "c", roleArn: "arn:aws:iam::1:role/r", resourcesVpcConfig: {} }),
  });
  expect(res.status).toBe(200);
});

describe("mutateCluster", () => {
  it("re-runs the change against the newer document until its write wins", async () => {
    repo.losses = 12;
    let runs = 0;
    const { result } = await mutateCluster(ctx, "c", (d) => {
      runs++;
      d.tags = { ...d.tags, won: "yes" };
      return "done";
    });
    expect(result).toBe("done");
    expect(runs).toBe(13);
    expect((await repo.get("c"))?.doc.tags).toMatchObject({ won: "yes" });
  });

  it("answers a retryable ThrottlingException, not ResourceInUse, when every race is lost", async () => {
    repo.losses = Number.POSITIVE_INFINITY;
    const err = await mutateCluster(ctx, "c", (d) => {
      d.tags = { lost: "yes" };
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EksError);
    expect(err).toMatchObject({ code: "ThrottlingException", status: 429 });
    expect((await repo.get("c"))?.doc.tags).not.toHaveProperty("lost");
  }, 15_000);
});
