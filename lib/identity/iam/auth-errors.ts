import { randomUUID } from "node:crypto";
import type { AuthError, AuthErrorCode } from "./sigv4-verify.ts";
import { xmlEscape } from "./xml.ts";

// Authentication failures in the two wire forms clients parse: the query protocol's ErrorResponse (IAM,
// STS) and restJson1 (the EKS API), where the code travels in x-amzn-ErrorType. Codes and messages are AWS's,
// so SDKs raise the same exception types they would against AWS.

export const NAMESPACES = {
  iam: "https://iam.amazonaws.com/doc/2010-05-08/",
  sts: "https://sts.amazonaws.com/doc/2011-06-15/",
} as const;

export interface RenderedError {
  status: number;
  contentType: string;
  headers: Record<string, string>;
  body: string;
}

const QUERY_STATUS: Record<AuthErrorCode, number> = {
  MissingAuthenticationToken: 403,
  IncompleteSignature: 400,
  InvalidClientTokenId: 403,
  SignatureDoesNotMatch: 403,
  ExpiredToken: 400,
};

const JSON_CODES: Record<AuthErrorCode, string> = {
  MissingAuthenticationToken: "MissingAuthenticationTokenException",
  IncompleteSignature: "IncompleteSignatureException",
  InvalidClientTokenId: "UnrecognizedClientException",
  SignatureDoesNotMatch: "InvalidSignatureException",
  ExpiredToken: "ExpiredTokenException",
};

/** The ErrorResponse document IAM and STS answer (JSON when the client asked for JSON). */
export function renderQueryAuthError(
  err: AuthError,
  service: "iam" | "sts",
  opts: { requestId?: string; accept?: string } = {},
): RenderedError {
  const requestId = opts.requestId ?? randomUUID();
  const status = QUERY_STATUS[err.code];
  if (opts.accept?.includes("application/json")) {
    return {
      status,
      contentType: "application/json",
      headers: { "x-amzn-RequestId": requestId },
      body: JSON.stringify({
        Error: { Type: "Sender", Code: err.code, Message: err.message },
        RequestId: requestId,
      }),
    };
  }
  return {
    status,
    contentType: "text/xml",
    headers: { "x-amzn-RequestId": requestId },
    body: queryErrorXml(service, err.code, err.message, requestId),
  };
}

export function queryErrorXml(
  service: "iam" | "sts",
  code: string,
  message: string,
  requestId: string,
): string {
  return (
    `<ErrorResponse xmlns="${NAMESPACES[service]}"><Error><Type>Sender</Type><Code>${xmlEscape(code)}</Code>` +
    `<Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

/** The restJson1 error the EKS API answers. Missing-token's message differs from the query protocol's. */
export function renderJsonAuthError(err: AuthError, opts: { requestId?: string } = {}): RenderedError {
  const code = JSON_CODES[err.code];
  const message = err.code === "MissingAuthenticationToken" ? "Missing Authentication Token" : err.message;
  return {
    status: 403,
    contentType: "application/json",
    headers: { "x-amzn-ErrorType": code, "x-amzn-RequestId": opts.requestId ?? randomUUID() },
    body: JSON.stringify({ message }),
  };
}

function toResponse(r: RenderedError): Response {
  return new Response(r.body, { status: r.status, headers: { "content-type": r.contentType, ...r.headers } });
}

export function queryAuthErrorResponse(
  err: AuthError,
  service: "iam" | "sts",
  opts: { requestId?: string; accept?: string } = {},
): Response {
  return toResponse(renderQueryAuthError(err, service, opts));
}

export function jsonAuthErrorResponse(err: AuthError, opts: { requestId?: string } = {}): Response {
  return toResponse(renderJsonAuthError(err, opts));
}
