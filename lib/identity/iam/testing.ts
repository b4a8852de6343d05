import { ensureAdmin } from "./bootstrap.ts";
import { lookupCredential, type Principal } from "./credentials.ts";
import { MemoryIamRepo } from "./memory-repo.ts";
import { type HandleContext, handleIamStsRequest, type IamStsResponse } from "./query.ts";

// Test fixtures for the IAM room (like lib/eks/fake-effects.ts): a seeded in-memory account and a way to
// call an action as some principal without HTTP.

export const ACCOUNT = "123456789012";
export const T0 = Date.UTC(2026, 11, 2, 10, 30, 0);

export interface Fixture {
  repo: MemoryIamRepo;
  admin: Principal;
  call(
    service: "iam" | "sts",
    params: Record<string, string>,
    as: Principal | undefined,
    extra?: Partial<HandleContext> & { accept?: string },
  ): Promise<IamStsResponse>;
  /** The principal behind a key the repo holds. */
  principalOf(accessKeyId: string): Promise<Principal>;
}

export async function fixture(): Promise<Fixture> {
  const repo = new MemoryIamRepo();
  const key = await ensureAdmin(repo, ACCOUNT, { now: T0 });
  const principalOf = async (id: string) => {
    const r = await lookupCredential(repo, id, T0);
    if (!r.ok) throw new Error(`no principal for ${id}: ${r.reason}`);
    return r.principal;
  };
  return {
    repo,
    admin: await principalOf(key.accessKeyId),
    principalOf,
    call: (service, params, as, extra = {}) =>
      handleIamStsRequest(
        { service, params: new URLSearchParams({ Version: "x", ...params }), accept: extra.accept },
        { repo, account: ACCOUNT, now: T0, principal: as, requestId: "req-1", ...extra },
      ),
  };
}

/** The text of the first `<tag>` in an XML document. */
export function tagText(xml: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];
}
