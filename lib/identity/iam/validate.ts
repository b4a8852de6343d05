import { z } from "zod";
import { IamError } from "./errors.ts";

// Request parameters checked with zod but reported in AWS's words: "N validation error(s) detected: Value
// 'x' at 'userName' failed to satisfy constraint: …", fields named in lower camel case as AWS does.

const at = (field: string, input: unknown) =>
  `Value ${input === undefined ? "null" : `'${String(input)}'`} at '${field}' failed to satisfy constraint:`;

export const NAME_PATTERN = "[\\w+=,.@-]+";
export const PATH_PATTERN = "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)";

interface StrRule {
  min?: number;
  max?: number;
  /** The pattern as AWS prints it, and its JavaScript equivalent. */
  pattern?: [shown: string, re: RegExp];
}

export function str(field: string, rule: StrRule = {}) {
  let s = z.string({ error: (iss) => `${at(field, iss.input)} Member must not be null` });
  if (rule.min !== undefined)
    s = s.min(rule.min, {
      error: (iss) => `${at(field, iss.input)} Member must have length greater than or equal to ${rule.min}`,
    });
  if (rule.max !== undefined)
    s = s.max(rule.max, {
      error: (iss) => `${at(field, iss.input)} Member must have length less than or equal to ${rule.max}`,
    });
  if (rule.pattern) {
    const [shown, re] = rule.pattern;
    s = s.regex(re, {
      error: (iss) => `${at(field, iss.input)} Member must satisfy regular expression pattern: ${shown}`,
    });
  }
  return s;
}

/** An integer parameter (the query protocol sends numbers as text). */
export function int(field: string, min: number, max: number) {
  return z
    .string()
    .regex(/^-?\d+$/, { error: (iss) => `${at(field, iss.input)} Member must be a number` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, {
          error: (iss) => `${at(field, iss.input)} Member must have value greater than or equal to ${min}`,
        })
        .max(max, {
          error: (iss) => `${at(field, iss.input)} Member must have value less than or equal to ${max}`,
        }),
    );
}

export function oneOf<T extends string>(field: string, values: readonly [T, ...T[]]) {
  return z.enum(values, {
    error: (iss) =>
      iss.input === undefined
        ? `${at(field, iss.input)} Member must not be null`
        : `${at(field, iss.input)} Member must satisfy enum value set: [${values.join(", ")}]`,
  });
}

export const userName = (field = "userName") =>
  str(field, { min: 1, max: 64, pattern: [NAME_PATTERN, /^[\w+=,.@-]+$/] });
export const roleName = (field = "roleName") =>
  str(field, { min: 1, max: 64, pattern: [NAME_PATTERN, /^[\w+=,.@-]+$/] });
export const policyName = (field = "policyName") =>
  str(field, { min: 1, max: 128, pattern: [NAME_PATTERN, /^[\w+=,.@-]+$/] });
export const path = (field = "path") =>
  str(field, { min: 1, max: 512, pattern: [PATH_PATTERN, /^(\/|\/[\x21-\x7e]+\/)$/] });
export const pathPrefix = (field = "pathPrefix") =>
  str(field, { min: 1, max: 512, pattern: ["\\u002F[\\u0021-\\u007F]*", /^\/[\x21-\x7f]*$/] });
export const policyArn = (field = "policyArn") => str(field, { min: 20, max: 2048 });
export const accessKeyId = (field = "accessKeyId") =>
  str(field, { min: 16, max: 128, pattern: ["[\\w]+", /^\w+$/] });
export const policyDocument = (field = "policyDocument") =>
  str(field, {
    min: 1,
    max: 131072,
    pattern: ["[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+", /^[\t\n\r\x20-\xff]+$/],
  });
export const marker = (field = "marker") =>
  str(field, { min: 1, max: 320, pattern: ["[\\u0020-\\u00FF]+", /^[\x20-\xff]+$/] });
export const maxItems = (field = "maxItems") => int(field, 1, 1000);

/** Parses `input` or throws ValidationError listing every failure, as AWS does. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const messages = r.error.issues.map((i) => i.message);
  const n = messages.length;
  throw new IamError(
    "ValidationError",
    `${n} validation error${n === 1 ? "" : "s"} detected: ${messages.join("; ")}`,
  );
}
