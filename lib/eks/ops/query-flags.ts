import { eksErrors } from "../errors.ts";
import { type OpRequest, queryOne } from "../op.ts";

// Typed readers for query parameters, failing the way AWS validation does.

export function queryBool(req: OpRequest, key: string): boolean | undefined {
  const raw = queryOne(req, key);
  if (raw === undefined) return undefined;
  if (raw === "true") return true;
  if (raw === "false") return false;
  throw eksErrors.invalidParameter(
    `1 validation error detected: Value '${raw}' at '${key}' failed to satisfy constraint: Member must be of type boolean`,
  );
}

export function queryEnum<T extends string>(
  req: OpRequest,
  key: string,
  values: readonly T[],
): T | undefined {
  const raw = queryOne(req, key);
  if (raw === undefined) return undefined;
  if ((values as readonly string[]).includes(raw)) return raw as T;
  throw eksErrors.invalidParameter(
    `1 validation error detected: Value '${raw}' at '${key}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(", ")}]`,
  );
}
