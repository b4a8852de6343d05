import { describe, expect, it } from "vitest";
import { StatusError } from "../../lib/api/status.ts";
import { InFlight, releaseWhenDone, withTimeout } from "../../lib/apiserver/inflight.ts";

describe("in-flight limits", () => {
  const limits = { readonly: 2, mutating: 1, longRunningPerClient: 1, requestTimeoutSeconds: 60 };

  it("refuses past each limit with kube's 429 and frees a slot once", () => {
    const f = new InFlight(limits);
    const a = f.acquire("readonly", "c/u");
    f.acquire("readonly", "c/u");
    const refused = (() => {
      try {
        f.acquire("readonly", "c/v");
      } catch (e) {
        return e as StatusError;
      }
    })();
    expect(refused).toBeInstanceOf(StatusError);
    expect(refused?.code).toBe(429);
    expect(refused?.message).toBe("Too many requests, please try again later.");
    a();
    a(); // a second release is a no-op
    f.acquire("readonly", "c/v");
    expect(() => f.acquire("readonly", "c/w")).toThrow(StatusError);
    f.acquire("mutating", "c/u");
    expect(() => f.acquire("mutating", "c/u")).toThrow(StatusError);
  });

  it("caps long-running requests per client, not across clients", async () => {
    const f = new InFlight(limits);
    const release = f.acquire("long", "c/alice");
    expect(() => f.acquire("long", "c/alice")).toThrow(StatusError);
    f.acquire("long", "c/bob");
    const body = new ReadableStream<Uint8Array>({
      start(ctl) {
        ctl.enqueue(new TextEncoder().encode("x"));
        ctl.close();
      },
    });
    await releaseWhenDone(new Response(body), release).text();
    expect(f.held("c/alice")).toBe(0);
  });

  it("answers 504 Timeout past the request timeout", async () => {
    const slow = new Promise((r) => setTimeout(r, 200));
    await expect(withTimeout(slow, 20)).rejects.toMatchObject({ code: 504, reason: "Timeout" });
    await expect(withTimeout(Promise.resolve(7), 20)).resolves.toBe(7);
  });
});
