import { handle, streamHandle } from "hono/aws-lambda";
import { configureFargateProfiles } from "../../lib/apiserver/admission/fargate.ts";
import { createApp } from "../../lib/apiserver/app.ts";
import type { InFlightLimits } from "../../lib/apiserver/inflight.ts";
import { AuthPipeline } from "../../lib/apiserver/pipeline.ts";
import { invalidateRbac, rbacAuthorizer, rbacRules } from "../../lib/apiserver/rbac-source.ts";
import { serviceAccountAuthenticator } from "../../lib/apiserver/service-accounts.ts";
import { createEdge } from "../../lib/edge/app.ts";
import { AwsAuth } from "../../lib/edge/aws-auth.ts";
import { StoreEksEffects } from "../../lib/edge/effects.ts";
import { IamAuthenticator } from "../../lib/edge/kube-authn.ts";
import { costMetrics, costReport } from "../../lib/eks/cost-report.ts";
import { DynamoEksRepo } from "../../lib/eks/dynamo-repo.ts";
import { fargateProfileLookup } from "../../lib/eks/fargate-lookup.ts";
import { configureNodegroups } from "../../lib/eks/nodegroups.ts";
import { DynamoIamRepo } from "../../lib/identity/iam/dynamo-repo.ts";
import { registerNode } from "../../lib/kubelet/nodes.ts";
import { runtimeEnv } from "../../lib/runtime/env.ts";
import { defaultStore } from "../../lib/runtime/store.ts";
import { clusterIssuers } from "../cluster-identity.ts";
import { connectInProcessApi } from "../in-process-api.ts";

// The one HTTP edge: the EKS API and every cluster's Kubernetes API. On AWS it runs behind a Lambda function
// URL in RESPONSE_STREAM mode so watches can stream; locally the same Hono app is served by
// @hono/node-server over TLS. Configuration comes from the environment, as on Lambda:
// - KUMULUS_CA_DATA: base64 of the CA bundle clients verify the endpoint with (certificateAuthority.data);
// - KUMULUS_ENDPOINT: the base URL DescribeCluster reports (default: the request's own host);
// - KUMULUS_ACCOUNT_ID: the account of the stack's IAM (the identity table);
// - KUMULUS_TOKEN_VERIFIER=sts: AWS mode, where `aws eks get-token` tokens are checked by STS itself (AWS's
//   STS hosts, plus the host:port values in KUMULUS_STS_HOSTS, e.g. LocalStack's) instead of the embedded IAM.
// - KUMULUS_MAX_REQUESTS_INFLIGHT, KUMULUS_MAX_MUTATING_REQUESTS_INFLIGHT, KUMULUS_MAX_LONG_RUNNING_PER_CLIENT:
//   the in-flight limits (kube-apiserver's 400 and 200 by default; 250 watches or follows per client).
connectInProcessApi();
// Managed node groups register their nodes through the simulated kubelet; instances come from the capacity
// table (the default provider of lib/eks/nodegroups.ts).
configureNodegroups({ nodes: { register: registerNode } });

function limitsFromEnv(): Partial<InFlightLimits> {
  const n = (v: string | undefined) => (v && Number(v) > 0 ? Number(v) : undefined);
  const limits: Partial<InFlightLimits> = {
    readonly: n(env.KUMULUS_MAX_REQUESTS_INFLIGHT),
    mutating: n(env.KUMULUS_MAX_MUTATING_REQUESTS_INFLIGHT),
    longRunningPerClient: n(env.KUMULUS_MAX_LONG_RUNNING_PER_CLIENT),
    requestTimeoutSeconds: n(env.KUMULUS_REQUEST_TIMEOUT_SECONDS),
  };
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
}
const store = defaultStore();
const repo = new DynamoEksRepo(store);
// Pods that match a Fargate profile go to the Fargate scheduler (its admission step reads the profiles here).
configureFargateProfiles(fargateProfileLookup(repo));
const env = process.env;
const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1";
const account = env.KUMULUS_ACCOUNT_ID ?? "000000000000";
const issuers = clusterIssuers();
const iamRepo = new DynamoIamRepo(runtimeEnv().ddb, runtimeEnv().tables.identity);
const aws = new AwsAuth(
  iamRepo,
  account,
  issuers.verifyWebIdentity(() => env.KUMULUS_ENDPOINT ?? ""),
);
const iam = new IamAuthenticator({
  aws,
  store,
  doc: async (name) => (await repo.get(name))?.doc,
  ownHosts: () => new Set(env.KUMULUS_ENDPOINT ? [new URL(env.KUMULUS_ENDPOINT).host] : []),
  ...(env.KUMULUS_TOKEN_VERIFIER === "sts"
    ? {
        remoteSts: {
          hosts: new Set((env.KUMULUS_STS_HOSTS ?? "").split(",").filter(Boolean)),
          fetch: (url, init) => fetch(url, init),
        },
      }
    : {}),
});
const auth = new AuthPipeline(
  [iam.authenticator, serviceAccountAuthenticator(store, issuers)],
  [rbacAuthorizer(store)],
  rbacRules(store),
);

export const app = createEdge({
  store,
  kube: createApp({
    store,
    auth,
    serviceAccounts: issuers,
    limits: limitsFromEnv(),
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
    metrics: async (cluster) => costMetrics(await costReport(region, cluster)),
    onWrite: (cluster, group, plural) => {
      iam.onWrite(cluster, group, plural);
      invalidateRbac(cluster, group);
    },
  }),
  aws,
  issuers,
  podIdentity: { issuers, doc: async (name) => (await repo.get(name))?.doc, iam: iamRepo, account },
  repo,
  effects: new StoreEksEffects(store, repo),
  region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
  account,
  caData: env.KUMULUS_CA_DATA ?? "",
  endpointBase: () => env.KUMULUS_ENDPOINT,
});

// The response-streaming wrapper only exists inside the Lambda runtime.
const lambda = (globalThis as { awslambda?: { streamifyResponse?: unknown } }).awslambda;
export const handler = typeof lambda?.streamifyResponse === "function" ? streamHandle(app) : handle(app);
