import { handle, streamHandle } from "hono/aws-lambda";
import { createApp } from "../../lib/apiserver/app.ts";
import { createEdge } from "../../lib/edge/app.ts";
import { StoreEksEffects } from "../../lib/edge/effects.ts";
import { DynamoEksRepo } from "../../lib/edge/eks-repo.ts";
import { ensureNodes } from "../../lib/kubelet/nodes.ts";
import { defaultStore } from "../../lib/runtime/store.ts";
import { connectInProcessApi } from "../in-process-api.ts";

// The one HTTP edge: the EKS API and every cluster's Kubernetes API. On AWS it runs behind a Lambda function
// URL in RESPONSE_STREAM mode so watches can stream; locally the same Hono app is served by
// @hono/node-server over TLS. Configuration comes from the environment, as on Lambda:
// - KUMULUS_CA_DATA: base64 of the CA bundle clients verify the endpoint with (certificateAuthority.data);
// - KUMULUS_ENDPOINT: the base URL DescribeCluster reports (default: the request's own host);
// - KUMULUS_ADMIN_ACCESS_KEY_ID / KUMULUS_ADMIN_SECRET_ACCESS_KEY: the local stack's admin key, whose tokens
//   name their cluster for requests without a /clusters/NAME prefix.
connectInProcessApi();
const store = defaultStore();
const repo = new DynamoEksRepo(store);
const env = process.env;

export const app = createEdge({
  store,
  kube: createApp({ store }),
  repo,
  effects: new StoreEksEffects(store, repo, ensureNodes),
  region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
  account: env.KUMULUS_ACCOUNT_ID ?? "000000000000",
  caData: env.KUMULUS_CA_DATA ?? "",
  endpointBase: () => env.KUMULUS_ENDPOINT,
  secrets: async (id) =>
    id === env.KUMULUS_ADMIN_ACCESS_KEY_ID ? env.KUMULUS_ADMIN_SECRET_ACCESS_KEY : undefined,
});

// The response-streaming wrapper only exists inside the Lambda runtime.
const lambda = (globalThis as { awslambda?: { streamifyResponse?: unknown } }).awslambda;
export const handler = typeof lambda?.streamifyResponse === "function" ? streamHandle(app) : handle(app);
