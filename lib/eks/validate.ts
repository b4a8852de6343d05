import type { z } from "zod";
import type { EksError } from "./errors.ts";

// Request bodies are checked with zod at the boundary. A failure is worded the way AWS's request validation
// words it ("1 validation error detected: Value 'x' at 'name' failed to satisfy constraint: Member must
// ..."), the text botocore users know from every service; EKS-specific rules are checked after parsing,
// with EKS's own messages.

type Issue = z.core.$ZodIssue & { input?: unknown };

function quote(value: unknown): string {
  if (value === undefined || value === null) return "null";
  if (typeof value === "string") return `'${value}'`;
  return `'${JSON.stringify(value)}'`;
}

function constraint(issue: Issue): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined || issue.input === null
        ? "Member must not be null"
        : `Member must be of type ${issue.expected}`;
    case "invalid_value":
      return `Member must satisfy enum value set: [${issue.values.map(String).join(", ")}]`;
    case "too_small":
      if (issue.origin === "string" || issue.origin === "array" || issue.origin === "record")
        return `Member must have length greater than or equal to ${issue.minimum}`;
      return `Member must have value greater than or equal to ${issue.minimum}`;
    case "too_big":
      if (issue.origin === "string" || issue.origin === "array" || issue.origin === "record")
        return `Member must have length less than or equal to ${issue.maximum}`;
      return `Member must have value less than or equal to ${issue.maximum}`;
    case "invalid_format":
      return issue.format === "regex" && "pattern" in issue
        ? `Member must satisfy regular expression pattern: ${String(issue.pattern)}`
        : `Member must be a valid ${issue.format}`;
    default:
      return issue.message;
  }
}

function pathOf(issue: Issue): string {
  return issue.path.map(String).join(".");
}

/** AWS's wording for a list of validation failures. */
export function validationMessage(issues: readonly Issue[]): string {
  const lines = issues.map(
    (i) => `Value ${quote(i.input)} at '${pathOf(i)}' failed to satisfy constraint: ${constraint(i)}`,
  );
  const n = lines.length;
  return `${n} validation error${n === 1 ? "" : "s"} detected: ${lines.join("; ")}`;
}

/** Parses `input` with `schema`, or throws the error `fail` builds from AWS's validation message. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  input: unknown,
  fail: (message: string) => EksError,
): z.infer<S> {
  const res = schema.safeParse(input, { reportInput: true });
  if (res.success) return res.data;
  throw fail(validationMessage(res.error.issues as Issue[]));
}
