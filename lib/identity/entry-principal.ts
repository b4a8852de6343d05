// The IAM principal an EKS access entry names, and the username EKS gives an entry created without one
// (eks-auth.md §5). Shared by the EKS API, which validates and reports entries, and the authenticator, which
// matches callers against them.

export interface EntryPrincipal {
  partition: string;
  account: string;
  kind: "user" | "role" | "root";
  /** The last path element: the user or role name (or "root"). */
  name: string;
  /** The path between the kind and the name, "" when none ("aws-service-role/…" for service-linked roles). */
  path: string;
}

const IAM_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):(user|role)\/((?:[\w+=,.@-]+\/)*)([\w+=,.@-]+)$/;
const ROOT_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):root$/;

export function parsePrincipal(arn: string): EntryPrincipal | undefined {
  const root = ROOT_ARN.exec(arn);
  if (root) return { partition: root[1], account: root[2], kind: "root", name: "root", path: "" };
  const m = IAM_ARN.exec(arn);
  if (!m) return undefined;
  return {
    partition: m[1],
    account: m[2],
    kind: m[3] as "user" | "role",
    name: m[5],
    path: m[4].replace(/\/$/, ""),
  };
}

/**
 * Whether two IAM ARNs name the same user, role or root. Paths are ignored, because a role session's ARN
 * never carries its role's path while an entry's ARN may; IAM names are unique regardless of case.
 */
export function samePrincipal(a: string, b: string): boolean {
  const x = parsePrincipal(a);
  const y = parsePrincipal(b);
  return (
    !!x &&
    !!y &&
    x.partition === y.partition &&
    x.account === y.account &&
    x.kind === y.kind &&
    x.name.toLowerCase() === y.name.toLowerCase()
  );
}

/** The username EKS reports for an entry created without one. */
export function defaultUsername(principalArn: string, type: string): string {
  switch (type) {
    case "EC2_LINUX":
    case "EC2_WINDOWS":
    case "EC2":
      return "system:node:{{EC2PrivateDNSName}}";
    case "FARGATE_LINUX":
    case "HYBRID_LINUX":
    case "HYPERPOD_LINUX":
      return "system:node:{{SessionName}}";
  }
  const p = parsePrincipal(principalArn);
  // The path is dropped: a session's assumed-role ARN never carries it, so the template could not match.
  if (p?.kind === "role")
    return `arn:${p.partition}:sts::${p.account}:assumed-role/${p.name}/{{SessionName}}`;
  return principalArn;
}
