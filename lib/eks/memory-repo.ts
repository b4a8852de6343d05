import type { ClusterDoc, EksRepo } from "./repo.ts";

/** An in-memory EksRepo: unit tests and the fallback when no table is configured. */
export class MemoryEksRepo implements EksRepo {
  private readonly docs = new Map<string, { doc: ClusterDoc; version: number }>();

  // Copies in and out, so a caller that mutates what it got cannot change the stored document behind the
  // compare-and-swap's back (the DynamoDB implementation behaves the same by construction).
  async get(name: string): Promise<{ doc: ClusterDoc; version: number } | undefined> {
    const hit = this.docs.get(name);
    return hit ? { doc: structuredClone(hit.doc), version: hit.version } : undefined;
  }

  async list(): Promise<ClusterDoc[]> {
    return [...this.docs.values()].map((e) => structuredClone(e.doc));
  }

  async create(doc: ClusterDoc): Promise<boolean> {
    if (this.docs.has(doc.name)) return false;
    this.docs.set(doc.name, { doc: structuredClone(doc), version: 1 });
    return true;
  }

  async replace(doc: ClusterDoc, version: number): Promise<boolean> {
    const hit = this.docs.get(doc.name);
    if (!hit || hit.version !== version) return false;
    this.docs.set(doc.name, { doc: structuredClone(doc), version: version + 1 });
    return true;
  }

  async remove(name: string): Promise<void> {
    this.docs.delete(name);
  }
}
