import { ClusterIssuers } from "../lib/edge/sa-issuers.ts";
import { DynamoEksRepo } from "../lib/eks/dynamo-repo.ts";
import { DynamoSigningKeyStore, SigningKeys } from "../lib/identity/sa-keys.ts";
import { runtimeEnv } from "../lib/runtime/env.ts";
import { defaultStore } from "../lib/runtime/store.ts";

// Each cluster's service-account issuer and signing key, shared by the edge's API server and the in-process
// one the loops write through (so pods a ReplicaSet creates get the same Pod Identity and IRSA mutations).
// Configuration comes from the environment, as on Lambda: KUMULUS_ENDPOINT (the issuer's base) and
// KUMULUS_CA_DATA (what legacy token Secrets carry as ca.crt).

let issuers: ClusterIssuers | undefined;

export function clusterIssuers(): ClusterIssuers {
  if (!issuers) {
    const repo = new DynamoEksRepo(defaultStore());
    const env = process.env;
    issuers = new ClusterIssuers({
      doc: async (name) => (await repo.get(name))?.doc,
      list: () => repo.list(),
      keys: new SigningKeys(new DynamoSigningKeyStore(runtimeEnv().ddb, runtimeEnv().tables.identity)),
      endpointBase: () => env.KUMULUS_ENDPOINT,
      caData: env.KUMULUS_CA_DATA ?? "",
    });
  }
  return issuers;
}
