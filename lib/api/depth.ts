// A bound on how deeply a request body may nest, checked right after parsing and before anything walks it
// recursively (defaulting, validation, patching, storage). kube-apiserver's JSON decoder stops at 10,000
// levels; Kumulus stops at 1,000, far beyond any real object, so no recursion downstream can exhaust the
// stack. Iterative, so the check itself cannot.

export const MAX_DEPTH = 1000;

/** The message for a body past the bound, or undefined. */
export function depthError(value: unknown, max = MAX_DEPTH): string | undefined {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (d > max) return `exceeded max depth of ${max}`;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return undefined;
}
