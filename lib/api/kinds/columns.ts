import type { KubeObject, TableColumn } from "../types.ts";

// Table columns as `kubectl get` prints them against a real apiserver.

/** Kubernetes' human-readable duration (k8s.io/apimachinery/pkg/util/duration.HumanDuration). */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;
  if (hours < 24 * 365 * 8) {
    const y = Math.floor(days / 365);
    const d = days % 365;
    return d === 0 ? `${y}y` : `${y}y${d}d`;
  }
  return `${Math.floor(days / 365)}y`;
}

export function age(ts: string | undefined, now: Date): string {
  if (!ts) return "<unknown>";
  return humanDuration(now.getTime() - Date.parse(ts));
}

export const nameColumn: TableColumn = {
  name: "Name",
  type: "string",
  format: "name",
  description: "Name must be unique within a namespace.",
  priority: 0,
  cell: (o) => o.metadata.name,
};

export const ageColumn: TableColumn = {
  name: "Age",
  type: "string",
  description: "CreationTimestamp is a timestamp representing the server time when this object was created.",
  priority: 0,
  cell: (o, now) => age(o.metadata.creationTimestamp, now),
};

export function col(
  name: string,
  cell: (o: any, now: Date) => unknown,
  opts: { type?: TableColumn["type"]; priority?: number; description?: string } = {},
): TableColumn {
  return {
    name,
    type: opts.type ?? "string",
    priority: opts.priority ?? 0,
    description: opts.description ?? name,
    cell: cell as (o: KubeObject, now: Date) => unknown,
  };
}

/** `app=web,tier=fe` or `<none>`. */
export function selectorString(
  sel:
    | {
        matchLabels?: Record<string, string>;
        matchExpressions?: { key: string; operator: string; values?: string[] }[];
      }
    | Record<string, string>
    | undefined,
): string {
  if (!sel) return "<none>";
  const parts: string[] = [];
  const s = sel as {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  if (s.matchLabels || s.matchExpressions) {
    for (const [k, v] of Object.entries(s.matchLabels ?? {})) parts.push(`${k}=${v}`);
    for (const e of s.matchExpressions ?? []) {
      if (e.operator === "Exists") parts.push(e.key);
      else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
      else parts.push(`${e.key} ${e.operator.toLowerCase()} (${(e.values ?? []).join(",")})`);
    }
  } else for (const [k, v] of Object.entries(sel as Record<string, string>)) parts.push(`${k}=${v}`);
  return parts.length ? parts.join(",") : "<none>";
}

export function count(v: unknown): number {
  return typeof v === "number" ? v : 0;
}
