import { errors } from "./status.ts";

// Query parameters as kube-apiserver reads them: Go's strconv.ParseBool and ParseInt, so clients that send
// `watch=True` (the Python client) or `watch=1` mean what they mean, and anything else is a 400 naming the
// parameter rather than a silent false.

const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** The boolean value of `name`, false when absent or empty. */
export function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null || v === "") return false;
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw errors.badRequest(`invalid boolean value for ${name}: ${JSON.stringify(v)}`);
}

/** The integer value of `name` (base 10, optional sign), undefined when absent or empty. */
export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  if (!/^[+-]?\d{1,18}$/.test(v))
    throw errors.badRequest(`invalid integer value for ${name}: ${JSON.stringify(v)}`);
  return Number(v);
}
