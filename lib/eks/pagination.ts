import { eksErrors } from "./errors.ts";
import { type OpRequest, queryOne } from "./op.ts";

// maxResults/nextToken as every EKS list operation has them (1..100, default 100). The token is opaque to
// clients: base64url of the key of the last item returned.

const MAX = 100;

export function maxResultsOf(req: OpRequest): number {
  const raw = queryOne(req, "maxResults");
  if (raw === undefined) return MAX;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX) {
    const bound =
      Number.isInteger(n) && n > MAX ? `less than or equal to ${MAX}` : "greater than or equal to 1";
    throw eksErrors.invalidParameter(
      `1 validation error detected: Value '${raw}' at 'maxResults' failed to satisfy constraint: Member must have value ${bound}`,
    );
  }
  return n;
}

export function encodeToken(key: string): string {
  return Buffer.from(key, "utf8").toString("base64url");
}

function decodeToken(token: string): string {
  const key = Buffer.from(token, "base64url").toString("utf8");
  if (!key || encodeToken(key) !== token)
    throw eksErrors.invalidParameter("The nextToken provided is not valid.");
  return key;
}

/**
 * One page of `items`. With `sorted` the items are in ascending key order and a page resumes after the
 * token's key even if that item was deleted meanwhile; otherwise the token's key must still be listed.
 */
export function pageOf<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  req: OpRequest,
  sorted: boolean,
): { items: T[]; nextToken?: string } {
  const max = maxResultsOf(req);
  const token = queryOne(req, "nextToken");
  let start = 0;
  if (token) {
    const after = decodeToken(token);
    if (sorted) {
      start = items.findIndex((i) => keyOf(i) > after);
      if (start < 0) start = items.length;
    } else {
      const at = items.findIndex((i) => keyOf(i) === after);
      if (at < 0) throw eksErrors.invalidParameter("The nextToken provided is not valid.");
      start = at + 1;
    }
  }
  const slice = items.slice(start, start + max);
  const more = start + max < items.length;
  return more ? { items: slice, nextToken: encodeToken(keyOf(slice[slice.length - 1])) } : { items: slice };
}
