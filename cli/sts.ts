import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { CliError } from "./command.ts";
import type { Aws } from "./eks-client.ts";
import { httpRequest } from "./http.ts";

// STS GetCallerIdentity, the one STS call the CLI makes (eksctl names kubeconfig contexts after the caller).

export async function callerArn(aws: Aws): Promise<string> {
  const url = new URL(`${aws.stsUrl}/`);
  const body = "Action=GetCallerIdentity&Version=2011-06-15";
  const req = new HttpRequest({
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    headers: { host: url.host, "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body,
  });
  const signer = new SignatureV4({
    service: "sts",
    region: aws.region,
    sha256: Sha256,
    credentials: await aws.credentials(),
  });
  const signed = await signer.sign(req);
  let text: string;
  let status: number;
  try {
    ({ text, status } = await httpRequest(url.toString(), {
      method: "POST",
      headers: signed.headers,
      body,
      agent: aws.agent,
    }));
  } catch (e) {
    throw new CliError(
      `checking AWS STS access – cannot get role ARN for current session: ${(e as Error).message}`,
    );
  }
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(text)?.[1] ?? /"Arn"\s*:\s*"([^"]+)"/.exec(text)?.[1];
  if (status !== 200 || !arn) {
    const msg = /<Message>([^<]+)<\/Message>/.exec(text)?.[1] ?? `HTTP ${status}`;
    throw new CliError(`checking AWS STS access – cannot get role ARN for current session: ${msg}`);
  }
  return arn;
}
