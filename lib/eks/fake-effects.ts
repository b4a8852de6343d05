import type { KubeObject } from "../api/types.ts";
import type { ClusterDoc, EksEffects } from "./repo.ts";

// An EksEffects that keeps the Kubernetes side as a map of objects per cluster: for unit tests, and for
// running the EKS API without a Kubernetes store behind it. `failNext` makes the next call of a kind throw.

type Kind = "bootstrap" | "applyObjects" | "deleteObjects" | "destroy";

export const objectKey = (o: KubeObject): string =>
  `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;

export class RecordingEffects implements EksEffects {
  readonly bootstrapped: ClusterDoc[] = [];
  readonly objects = new Map<string, Map<string, KubeObject>>();
  readonly calls: { kind: Kind; cluster: string }[] = [];
  private readonly failures = new Map<Kind, Error>();

  failNext(kind: Kind, error = new Error(`${kind} failed`)): void {
    this.failures.set(kind, error);
  }

  private record(kind: Kind, cluster: string): void {
    this.calls.push({ kind, cluster });
    const failure = this.failures.get(kind);
    if (failure) {
      this.failures.delete(kind);
      throw failure;
    }
  }

  private of(cluster: string): Map<string, KubeObject> {
    let m = this.objects.get(cluster);
    if (!m) this.objects.set(cluster, (m = new Map()));
    return m;
  }

  async bootstrap(doc: ClusterDoc): Promise<void> {
    this.record("bootstrap", doc.name);
    this.bootstrapped.push(structuredClone(doc));
    this.of(doc.name);
  }

  async applyObjects(cluster: string, objects: KubeObject[]): Promise<void> {
    this.record("applyObjects", cluster);
    for (const o of objects) this.of(cluster).set(objectKey(o), structuredClone(o));
  }

  async deleteObjects(cluster: string, objects: KubeObject[]): Promise<void> {
    this.record("deleteObjects", cluster);
    for (const o of objects) this.of(cluster).delete(objectKey(o));
  }

  async destroy(cluster: string): Promise<void> {
    this.record("destroy", cluster);
    this.objects.delete(cluster);
  }

  /** The stored object of this kind and name in the cluster, if any. */
  find(cluster: string, kind: string, name: string, namespace?: string): KubeObject | undefined {
    return [...this.of(cluster).values()].find(
      (o) =>
        o.kind === kind &&
        o.metadata.name === name &&
        (namespace === undefined || o.metadata.namespace === namespace),
    );
  }
}
