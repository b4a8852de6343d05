import { RecordingEffects } from "../../lib/eks/fake-effects.ts";
import { MemoryEksRepo } from "../../lib/eks/memory-repo.ts";
import type { EksContext } from "../../lib/eks/repo.ts";

/** An EKS context over an in-memory repo and recorded Kubernetes effects, for the EKS operations' unit tests. */
export function memoryEksContext(over: Partial<EksContext> = {}): EksContext {
  return {
    repo: new MemoryEksRepo(),
    effects: new RecordingEffects(),
    region: "eu-west-1",
    account: "123456789012",
    endpointBase: "https://127.0.0.1:8443",
    caData: "Q0E=",
    ...over,
  };
}
