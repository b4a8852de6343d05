import { boolParam } from "../../api/query.ts";
import { errors, StatusError } from "../../api/status.ts";
import { toTable } from "../../api/table.ts";
import { apiVersionOf, type KubeObject } from "../../api/types.ts";
import { log } from "../../log.ts";
import { watchConfig } from "../../watch/config.ts";
import { ExpiredError, type LogEntry, readLog } from "../../watch/reader.ts";
import { asServed, type ResourceContext } from "../context.ts";
import { outputFormat } from "../output.ts";
import { selectorFilter } from "./read.ts";

// A watch is a long-lived chunked response of newline-delimited JSON events read from the watch log.
// Without a resourceVersion (or with "0", or sendInitialEvents=true) it starts with the current state as
// ADDED events and continues from that list's revision, so nothing between the two is missed.

type Event = { type: string; object: unknown };

const DEFAULT_TIMEOUT_S = 1800;
/**
 * In Lambda an invocation ends after at most 900 s: end watches cleanly before that, so clients re-watch
 * from their last resourceVersion instead of seeing a cut connection.
 */
const MAX_TIMEOUT_S = process.env.AWS_LAMBDA_FUNCTION_NAME ? 840 : Number.POSITIVE_INFINITY;

export async function watch(ctx: ResourceContext): Promise<Response> {
  const q = ctx.query;
  const rvParam = q.get("resourceVersion") ?? "";
  const sendInitial = boolParam(q, "sendInitialEvents");
  if (sendInitial && q.get("resourceVersionMatch") !== "NotOlderThan") {
    throw errors.invalid("ListOptions", "meta.k8s.io", "", [
      {
        type: "FieldValueForbidden",
        field: "resourceVersionMatch",
        message: "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
      },
    ]);
  }
  if (rvParam !== "" && !/^\d+$/.test(rvParam))
    throw errors.badRequest(`invalid resource version: ${rvParam}`);
  const bookmarks = boolParam(q, "allowWatchBookmarks");
  const timeoutS = Math.min(
    Number(q.get("timeoutSeconds") ?? DEFAULT_TIMEOUT_S) || DEFAULT_TIMEOUT_S,
    MAX_TIMEOUT_S,
  );
  const filter = selectorFilter(ctx) ?? (() => true);
  const table = outputFormat(ctx.headers.get("accept")) === "table";
  const namespace = ctx.kind.namespaced ? ctx.path.namespace : undefined;
  const nameFilter = ctx.path.name;
  const cfg = watchConfig();
  const abort = new AbortController();
  ctx.signal.addEventListener("abort", () => abort.abort());
  const encoder = new TextEncoder();
  let headerSent = false;

  const render = (type: string, obj: KubeObject): Event => {
    const served = asServed(ctx, obj);
    if (!table) return { type, object: served };
    const t = toTable(ctx.kind, [served], {
      includeObject: "Object",
      resourceVersion: obj.metadata.resourceVersion,
    }) as {
      columnDefinitions?: unknown[];
    };
    // kubectl prints headers from the first event's column definitions only.
    if (headerSent) t.columnDefinitions = [];
    headerSent = true;
    return { type, object: t };
  };

  const stream = new ReadableStream<Uint8Array>({
    start: async (controller) => {
      const send = (ev: Event) => controller.enqueue(encoder.encode(`${JSON.stringify(ev)}\n`));
      const timer = setTimeout(() => abort.abort(), timeoutS * 1000);
      let lastRv = 0;
      let lastBookmark = Date.now();
      try {
        let from: number;
        if (rvParam === "" || rvParam === "0" || sendInitial) {
          const list = await ctx.store.list(
            { cluster: ctx.cluster, group: ctx.kind.group, plural: ctx.kind.plural },
            { namespace, filter: (o) => (!nameFilter || o.metadata.name === nameFilter) && filter(o) },
          );
          for (const o of list.items) send(render("ADDED", o));
          from = Number(list.resourceVersion);
          if (sendInitial && rvParam !== "" && Number(rvParam) > from) from = Number(rvParam);
          if (sendInitial) send(bookmark(ctx, String(from), true));
        } else {
          from = Number(rvParam);
        }
        lastRv = from;
        for await (const batch of readLog(ctx.store, ctx.cluster, from, { signal: abort.signal })) {
          for (const e of batch) {
            const ev = await toEvent(ctx, e, namespace, nameFilter, filter);
            if (ev) send(render(ev.type, ev.obj));
            lastRv = e.rv;
          }
          if (bookmarks && Date.now() - lastBookmark > cfg.bookmarkIntervalMs) {
            send(bookmark(ctx, String(lastRv), false));
            lastBookmark = Date.now();
          }
        }
      } catch (e) {
        if (e instanceof ExpiredError) {
          send({
            type: "ERROR",
            object: errors.expired(`The resourceVersion for the provided watch is too old.`).toStatus(),
          });
        } else if (e instanceof StatusError) {
          send({ type: "ERROR", object: e.toStatus() });
        } else if (!abort.signal.aborted) {
          log("error", "watch failed", {
            cluster: ctx.cluster,
            kind: ctx.kind.kind,
            error: String(e),
            rv: lastRv,
          });
          send({ type: "ERROR", object: errors.internal(String(e)).toStatus() });
        }
      } finally {
        clearTimeout(timer);
        try {
          controller.close();
        } catch {
          // the client went away first
        }
      }
    },
    cancel: () => abort.abort(),
  });
  return new Response(stream, {
    status: 200,
    headers: { "content-type": "application/json", "cache-control": "no-cache, private" },
  });
}

function bookmark(ctx: ResourceContext, rv: string, initialEnd: boolean): Event {
  const metadata: Record<string, unknown> = { resourceVersion: rv };
  if (initialEnd) metadata.annotations = { "k8s.io/initial-events-end": "true" };
  return { type: "BOOKMARK", object: { kind: ctx.kind.kind, apiVersion: apiVersionOf(ctx.kind), metadata } };
}

/** Maps a log entry to the event this watcher sees, honouring selectors the way the watch cache does. */
async function toEvent(
  ctx: ResourceContext,
  e: LogEntry,
  namespace: string | undefined,
  name: string | undefined,
  filter: (o: KubeObject) => boolean,
): Promise<{ type: string; obj: KubeObject } | undefined> {
  if (e.group !== ctx.kind.group || e.plural !== ctx.kind.plural) return undefined;
  if (namespace !== undefined && e.namespace !== namespace) return undefined;
  if (name !== undefined && e.name !== name) return undefined;
  const obj = await e.object();
  const now = filter(obj);
  if (e.type !== "MODIFIED") return now ? { type: e.type, obj } : undefined;
  const prev = e.previous();
  const before = prev ? filter(prev) : now;
  if (now && before) return { type: "MODIFIED", obj };
  if (now) return { type: "ADDED", obj };
  if (before) return { type: "DELETED", obj };
  return undefined;
}
