import http from "node:http";
import https from "node:https";

// Plain HTTP(S) for the calls the EKS SDK does not make (a cluster's Kubernetes API, the cost extension):
// node:https rather than fetch, because the CA of the stack ($AWS_CA_BUNDLE / the profile's ca_bundle) must
// be trusted per request without touching the process-wide trust store.

export interface HttpResponse {
  status: number;
  text: string;
}

export interface HttpRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  agent?: https.Agent;
}

export function httpRequest(url: string, r: HttpRequest = {}): Promise<HttpResponse> {
  const u = new URL(url);
  const mod = u.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      u,
      { method: r.method ?? "GET", headers: r.headers, agent: u.protocol === "https:" ? r.agent : undefined },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (d: Buffer) => chunks.push(d));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(r.body);
  });
}
