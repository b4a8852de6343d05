import { handle, streamHandle } from "hono/aws-lambda";
import { createApp } from "../../lib/apiserver/app.ts";
import { ensureNodes } from "../../lib/kubelet/nodes.ts";
import { defaultStore } from "../../lib/runtime/store.ts";
import { connectInProcessApi } from "../in-process-api.ts";

// The Kubernetes API server. On AWS it runs behind a Lambda function URL in RESPONSE_STREAM mode so watches
// can stream; locally the same Hono app is served by @hono/node-server.
connectInProcessApi();
export const app = createApp({ store: defaultStore(), addNodes: ensureNodes });

// The response-streaming wrapper only exists inside the Lambda runtime.
const lambda = (globalThis as { awslambda?: { streamifyResponse?: unknown } }).awslambda;
export const handler = typeof lambda?.streamifyResponse === "function" ? streamHandle(app) : handle(app);
