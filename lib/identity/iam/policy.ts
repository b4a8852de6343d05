import { z } from "zod";

// IAM policy documents: parsing (with AWS's MalformedPolicyDocument wording) and evaluation of one request
// against a set of them. Explicit Deny wins, then any Allow, else the request is denied by default. Actions
// match case-insensitively, resources and condition values case-sensitively, both with `*` and `?`.

const StrOrList = z.union([z.string(), z.array(z.string()).min(1)]);
const Scalar = z.union([z.string(), z.boolean(), z.number()]);
const PrincipalRaw = z.union([
  z.literal("*"),
  z.object({ AWS: StrOrList, Federated: StrOrList, Service: StrOrList, CanonicalUser: StrOrList }).partial(),
]);
const StatementRaw = z
  .object({
    Sid: z.string(),
    Effect: z.enum(["Allow", "Deny"]),
    Action: StrOrList,
    NotAction: StrOrList,
    Resource: StrOrList,
    NotResource: StrOrList,
    Principal: PrincipalRaw,
    NotPrincipal: PrincipalRaw,
    Condition: z.record(z.string(), z.record(z.string(), z.union([Scalar, z.array(Scalar)]))),
  })
  .partial()
  .required({ Effect: true })
  .strict();
const PolicyRaw = z
  .object({
    Version: z.enum(["2012-10-17", "2008-10-17"]).optional(),
    Id: z.string().optional(),
    Statement: z.union([StatementRaw, z.array(StatementRaw)]),
  })
  .strict();

export type PrincipalType = "AWS" | "Federated" | "Service" | "CanonicalUser";
/** "*" or, per type, the identifiers named. */
export type PrincipalSpec = "*" | Partial<Record<PrincipalType, string[]>>;

export interface Statement {
  effect: "Allow" | "Deny";
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  principal?: PrincipalSpec;
  notPrincipal?: PrincipalSpec;
  /** operator → condition key → values */
  condition?: Record<string, Record<string, string[]>>;
}

export interface PolicyDocument {
  statements: Statement[];
}

/** Identity policies are attached to users and roles; trust policies say who may assume a role. */
export type PolicyKind = "identity" | "trust";

export type ParsedPolicy = { ok: true; policy: PolicyDocument } | { ok: false; message: string };

const list = (v: string | string[] | undefined): string[] | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? v : [v];

function principalSpec(p: z.infer<typeof PrincipalRaw> | undefined): PrincipalSpec | undefined {
  if (p === undefined || p === "*") return p;
  const out: Partial<Record<PrincipalType, string[]>> = {};
  for (const [k, v] of Object.entries(p)) if (v !== undefined) out[k as PrincipalType] = list(v);
  return out;
}

export function parsePolicy(text: string, kind: PolicyKind): ParsedPolicy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, message: "This policy contains invalid Json" };
  }
  const raw = PolicyRaw.safeParse(json);
  if (!raw.success) return { ok: false, message: "Syntax errors in policy." };
  const statements: Statement[] = [];
  for (const s of Array.isArray(raw.data.Statement) ? raw.data.Statement : [raw.data.Statement]) {
    if ((s.Action === undefined) === (s.NotAction === undefined)) {
      return { ok: false, message: "Policy statement must contain actions." };
    }
    const hasPrincipal = s.Principal !== undefined || s.NotPrincipal !== undefined;
    if (kind === "identity" && hasPrincipal) {
      return { ok: false, message: "Policy document should not specify a principal." };
    }
    if (kind === "identity" && s.Resource === undefined && s.NotResource === undefined) {
      return { ok: false, message: "Policy statement must contain resources." };
    }
    if (kind === "trust" && !hasPrincipal) return { ok: false, message: "Missing required field Principal" };
    if (kind === "trust" && (s.Resource !== undefined || s.NotResource !== undefined)) {
      return { ok: false, message: "Has prohibited field Resource" };
    }
    let condition: Statement["condition"];
    if (s.Condition) {
      condition = {};
      for (const [op, keys] of Object.entries(s.Condition)) {
        condition[op] = {};
        for (const [k, v] of Object.entries(keys))
          condition[op][k] = (Array.isArray(v) ? v : [v]).map(String);
      }
    }
    statements.push({
      effect: s.Effect,
      action: list(s.Action),
      notAction: list(s.NotAction),
      resource: list(s.Resource),
      notResource: list(s.NotResource),
      principal: principalSpec(s.Principal),
      notPrincipal: principalSpec(s.NotPrincipal),
      condition,
    });
  }
  return { ok: true, policy: { statements } };
}

const globCache = new Map<string, RegExp>();

/** IAM's wildcard match: `*` any run, `?` one character. */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const key = `${ignoreCase ? "i" : "c"}${pattern}`;
  let re = globCache.get(key);
  if (!re) {
    const body = pattern
      .split("")
      .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&")))
      .join("");
    re = new RegExp(`^${body}$`, ignoreCase ? "is" : "s");
    if (globCache.size > 5000) globCache.clear();
    globCache.set(key, re);
  }
  return re.test(value);
}

/** Who is asking, for trust (resource) policies: the principal type and every identifier that names it. */
export interface CallerRef {
  type: PrincipalType;
  /** For AWS principals: its ARN, the role's ARN for a session, and `arn:aws:iam::ACCT:root`. */
  ids: string[];
}

export interface EvalRequest {
  action: string;
  resource: string;
  caller?: CallerRef;
  /** Condition keys (any case) → values. */
  context?: Record<string, string | string[]>;
}

export type Decision = "allow" | "explicit-deny" | "implicit-deny";

export function evaluate(policies: PolicyDocument[], req: EvalRequest): Decision {
  const ctx = new Map<string, string[]>();
  for (const [k, v] of Object.entries(req.context ?? {}))
    ctx.set(k.toLowerCase(), Array.isArray(v) ? v : [v]);
  let allowed = false;
  for (const p of policies)
    for (const s of p.statements) {
      if (!statementMatches(s, req)) continue;
      const cond = conditionsHold(s.condition, ctx);
      // A condition we cannot evaluate never grants, and never lets a Deny off.
      if (s.effect === "Deny" && cond !== false) return "explicit-deny";
      if (s.effect === "Allow" && cond === true) allowed = true;
    }
  return allowed ? "allow" : "implicit-deny";
}

function statementMatches(s: Statement, req: EvalRequest): boolean {
  const anyGlob = (ps: string[], v: string, ic: boolean) => ps.some((p) => globMatch(p, v, ic));
  if (s.action && !anyGlob(s.action, req.action, true)) return false;
  if (s.notAction && anyGlob(s.notAction, req.action, true)) return false;
  if (s.resource && !anyGlob(s.resource, req.resource, false)) return false;
  if (s.notResource && anyGlob(s.notResource, req.resource, false)) return false;
  if (s.principal && !principalMatches(s.principal, req.caller)) return false;
  if (s.notPrincipal && principalMatches(s.notPrincipal, req.caller)) return false;
  return true;
}

function principalMatches(spec: PrincipalSpec, caller: CallerRef | undefined): boolean {
  if (!caller) return false;
  if (spec === "*") return true;
  const named = spec[caller.type];
  if (!named) return false;
  const norm = (id: string) => (/^\d{12}$/.test(id) ? `arn:aws:iam::${id}:root` : id);
  return named.some((n) => n === "*" || caller.ids.includes(norm(n)));
}

type Tri = true | false | "unknown";

function conditionsHold(cond: Statement["condition"], ctx: Map<string, string[]>): Tri {
  if (!cond) return true;
  let unknown = false;
  for (const [op, keys] of Object.entries(cond))
    for (const [key, values] of Object.entries(keys)) {
      const r = operatorHolds(op, ctx.get(key.toLowerCase()), values);
      if (r === false) return false;
      if (r === "unknown") unknown = true;
    }
  return unknown ? "unknown" : true;
}

const BASE_OPS: Record<string, { test: (have: string, want: string) => boolean; negated: boolean }> = {
  StringEquals: { test: (h, w) => h === w, negated: false },
  StringNotEquals: { test: (h, w) => h === w, negated: true },
  StringEqualsIgnoreCase: { test: (h, w) => h.toLowerCase() === w.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { test: (h, w) => h.toLowerCase() === w.toLowerCase(), negated: true },
  StringLike: { test: (h, w) => globMatch(w, h), negated: false },
  StringNotLike: { test: (h, w) => globMatch(w, h), negated: true },
  ArnEquals: { test: (h, w) => h === w, negated: false },
  ArnNotEquals: { test: (h, w) => h === w, negated: true },
  ArnLike: { test: (h, w) => globMatch(w, h), negated: false },
  ArnNotLike: { test: (h, w) => globMatch(w, h), negated: true },
  Bool: { test: (h, w) => h.toLowerCase() === w.toLowerCase(), negated: false },
};

function operatorHolds(op: string, have: string[] | undefined, want: string[]): Tri {
  let name = op;
  let set: "any" | "all" | undefined;
  if (name.startsWith("ForAnyValue:")) [set, name] = ["any", name.slice(12)];
  else if (name.startsWith("ForAllValues:")) [set, name] = ["all", name.slice(13)];
  const ifExists = name.endsWith("IfExists");
  if (ifExists) name = name.slice(0, -8);
  if (name === "Null" && !set && !ifExists) {
    const missing = !have || have.length === 0;
    return want.some((w) => (w.toLowerCase() === "true") === missing);
  }
  const base = BASE_OPS[name];
  if (!base) return "unknown";
  if (!have || have.length === 0) {
    if (set === "all") return true;
    return ifExists || base.negated;
  }
  const matches = (h: string) => want.some((w) => base.test(h, w));
  if (set === "all") return have.every((h) => (base.negated ? !matches(h) : matches(h)));
  if (set === "any") return have.some((h) => (base.negated ? !matches(h) : matches(h)));
  return base.negated ? !have.some(matches) : have.some(matches);
}
