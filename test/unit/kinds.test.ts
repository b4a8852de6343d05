import { describe, expect, it } from "vitest";
import { humanDuration } from "../../lib/api/kinds/columns.ts";
import { builtinKinds, findKind } from "../../lib/api/kinds/registry.ts";
import { toTable } from "../../lib/api/table.ts";
import type { KubeObject } from "../../lib/api/types.ts";

const kind = (g: string, v: string, p: string) => {
  const k = findKind(g, v, p);
  if (!k) throw new Error(`no kind ${g}/${v}/${p}`);
  return k;
};

const deployment = (): any => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default" },
  spec: {
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "c", image: "nginx:1.27", ports: [{ containerPort: 80 }] }] },
    },
  },
});

describe("registry", () => {
  it("serves every listed kind once per group/version", () => {
    const keys = builtinKinds.map((k) => `${k.group}/${k.version}/${k.plural}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const p of ["namespaces", "pods", "services", "endpoints", "configmaps", "secrets", "events"])
      expect(findKind("", "v1", p)).toBeDefined();
    expect(findKind("apps", "v1", "deployments")?.subresources.scale?.specReplicasPath).toBe(
      ".spec.replicas",
    );
    expect(findKind("apiextensions.k8s.io", "v1", "customresourcedefinitions")?.shortNames).toEqual([
      "crd",
      "crds",
    ]);
    expect(findKind("", "v1", "pods")?.categories).toContain("all");
    expect(findKind("", "v1", "namespaces")?.namespaced).toBe(false);
  });
});

describe("validation", () => {
  const deploy = kind("apps", "v1", "deployments");

  it("words an invalid name exactly like Kubernetes", () => {
    const d = deployment();
    d.metadata.name = "Bad_Name";
    expect(deploy.validate(d)).toContainEqual({
      type: "FieldValueInvalid",
      field: "metadata.name",
      message:
        "Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    });
  });

  it("uses RFC 1035 for services and RFC 1123 labels for namespaces", () => {
    const svc = kind("", "v1", "services");
    const errs = svc.validate({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "1abc", namespace: "default" },
      spec: { ports: [{ port: 80 }] },
    });
    expect(errs[0].message).toContain("a DNS-1035 label must consist of lower case alphanumeric characters");
    const ns = kind("", "v1", "namespaces");
    expect(
      ns.validate({ apiVersion: "v1", kind: "Namespace", metadata: { name: "a.b" } })[0].message,
    ).toContain("a lowercase RFC 1123 label must consist of");
  });

  it("reports missing values, bad enums, types and selector mismatches with Kubernetes paths", () => {
    const d = deployment();
    delete d.spec.template.spec.containers[0].image;
    d.spec.template.spec.containers[0].ports[0].containerPort = "80";
    d.spec.template.metadata.labels = { app: "other" };
    d.spec.replicas = -1;
    d.spec.template.spec.restartPolicy = "Foo";
    const errs = deploy.validate(d);
    expect(errs).toContainEqual({
      type: "FieldValueRequired",
      field: "spec.template.spec.containers[0].image",
      message: "Required value",
    });
    expect(errs).toContainEqual(
      expect.objectContaining({
        type: "FieldValueTypeInvalid",
        field: "spec.template.spec.containers[0].ports[0].containerPort",
      }),
    );
    expect(errs).toContainEqual({
      type: "FieldValueInvalid",
      field: "spec.template.metadata.labels",
      message: 'Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
    });
    expect(errs).toContainEqual({
      type: "FieldValueInvalid",
      field: "spec.replicas",
      message: "Invalid value: -1: must be greater than or equal to 0",
    });
    expect(errs).toContainEqual(
      expect.objectContaining({
        type: "FieldValueNotSupported",
        field: "spec.template.spec.restartPolicy",
        message: 'Unsupported value: "Foo": supported values: "Always", "OnFailure", "Never"',
      }),
    );
  });

  it("requires a name or generateName and a selector", () => {
    const d = deployment();
    delete d.metadata.name;
    delete d.spec.selector;
    const errs = deploy.validate(d);
    expect(errs).toContainEqual({
      type: "FieldValueRequired",
      field: "metadata.name",
      message: "Required value: name or generateName is required",
    });
    expect(errs).toContainEqual(
      expect.objectContaining({ field: "spec.selector", type: "FieldValueRequired" }),
    );
    d.metadata.generateName = "web-";
    expect(deploy.validate(d).some((e) => e.field === "metadata.name")).toBe(false);
  });

  it("checks label keys and values", () => {
    const cm = kind("", "v1", "configmaps");
    const errs = cm.validate({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c", namespace: "d", labels: { "bad key": "ok", ok: "-bad" } },
    });
    expect(errs.map((e) => e.field)).toEqual(["metadata.labels", "metadata.labels"]);
    expect(errs[0].message).toContain("name part must consist of alphanumeric characters");
    expect(errs[1].message).toContain("a valid label must be an empty string or consist of");
  });

  it("accepts explicit nulls, as Go's decoder does", () => {
    const d = deployment();
    d.metadata.creationTimestamp = null;
    d.spec.template.metadata.creationTimestamp = null;
    d.status = {};
    expect(deploy.validate(d)).toEqual([]);
  });

  it("checks config keys and base64 secret data", () => {
    const cm = kind("", "v1", "configmaps");
    const errs = cm.validate({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c", namespace: "d" },
      data: { "a/b": "x" },
    });
    expect(errs[0].field).toBe("data");
    expect(errs[0].message).toContain(
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
    );
    const secret = kind("", "v1", "secrets");
    const bad = secret.validate({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s", namespace: "d" },
      data: { k: "not base64!" },
    });
    expect(bad).toHaveLength(1);
  });

  it("requires a Job's restartPolicy to be OnFailure or Never", () => {
    const job = kind("batch", "v1", "jobs");
    const j: any = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "j", namespace: "d" },
      spec: { template: { spec: { containers: [{ name: "c", image: "busybox" }] } } },
    };
    job.default(j);
    expect(job.validate(j).map((e) => e.field)).toEqual(["spec.template.spec.restartPolicy"]);
    j.spec.template.spec.restartPolicy = "Never";
    expect(job.validate(j)).toEqual([]);
  });
});

describe("defaulting", () => {
  it("defaults a Deployment like the apiserver, idempotently", () => {
    const deploy = kind("apps", "v1", "deployments");
    const d = deployment();
    d.spec.template.spec.containers.push({ name: "side", image: "busybox" });
    deploy.default(d);
    const once = JSON.stringify(d);
    deploy.default(d);
    expect(JSON.stringify(d)).toBe(once);
    expect(d.spec).toMatchObject({
      replicas: 1,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
    });
    const pod = d.spec.template.spec;
    expect(pod).toMatchObject({
      restartPolicy: "Always",
      dnsPolicy: "ClusterFirst",
      schedulerName: "default-scheduler",
      terminationGracePeriodSeconds: 30,
      securityContext: {},
    });
    expect(pod.containers[0]).toMatchObject({
      imagePullPolicy: "IfNotPresent",
      terminationMessagePath: "/dev/termination-log",
      terminationMessagePolicy: "File",
      ports: [{ containerPort: 80, protocol: "TCP" }],
    });
    expect(pod.containers[1].imagePullPolicy).toBe("Always");
  });

  it("defaults Services, Jobs, CronJobs, StatefulSets, DaemonSets, PVCs and Namespaces", () => {
    const obj = (apiVersion: string, k: string, extra: object): any => ({
      apiVersion,
      kind: k,
      metadata: { name: "x", namespace: "d" },
      ...extra,
    });
    const svc = obj("v1", "Service", { spec: { ports: [{ port: 80 }] } });
    kind("", "v1", "services").default(svc);
    expect(svc.spec).toMatchObject({
      type: "ClusterIP",
      sessionAffinity: "None",
      ipFamilyPolicy: "SingleStack",
      internalTrafficPolicy: "Cluster",
      ports: [{ port: 80, targetPort: 80, protocol: "TCP" }],
    });
    const tmpl = { spec: { containers: [{ name: "c", image: "i" }] } };
    const job = obj("batch/v1", "Job", { spec: { template: structuredClone(tmpl) } });
    kind("batch", "v1", "jobs").default(job);
    expect(job.spec).toMatchObject({
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: "NonIndexed",
      suspend: false,
    });
    const cj = obj("batch/v1", "CronJob", {
      spec: { schedule: "* * * * *", jobTemplate: { spec: { template: structuredClone(tmpl) } } },
    });
    kind("batch", "v1", "cronjobs").default(cj);
    expect(cj.spec).toMatchObject({
      concurrencyPolicy: "Allow",
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
    });
    const sts = obj("apps/v1", "StatefulSet", { spec: { template: structuredClone(tmpl) } });
    kind("apps", "v1", "statefulsets").default(sts);
    expect(sts.spec).toMatchObject({
      replicas: 1,
      podManagementPolicy: "OrderedReady",
      revisionHistoryLimit: 10,
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
    });
    const ds = obj("apps/v1", "DaemonSet", { spec: { template: structuredClone(tmpl) } });
    kind("apps", "v1", "daemonsets").default(ds);
    expect(ds.spec.updateStrategy).toEqual({
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
    });
    const pvc = obj("v1", "PersistentVolumeClaim", { spec: { accessModes: ["ReadWriteOnce"] } });
    kind("", "v1", "persistentvolumeclaims").default(pvc);
    expect(pvc.spec.volumeMode).toBe("Filesystem");
    const ns: any = { apiVersion: "v1", kind: "Namespace", metadata: { name: "team" } };
    kind("", "v1", "namespaces").default(ns);
    expect(ns.spec.finalizers).toEqual(["kubernetes"]);
    expect(ns.status.phase).toBe("Active");
  });

  it("folds Secret stringData into base64 data", () => {
    const secret = kind("", "v1", "secrets");
    const s: any = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s", namespace: "d" },
      stringData: { user: "admin" },
    };
    secret.default(s);
    expect(s).toMatchObject({ type: "Opaque", data: { user: "YWRtaW4=" } });
    expect(s.stringData).toBeUndefined();
    expect(secret.validate(s)).toEqual([]);
  });

  it("defaults every kind idempotently", () => {
    for (const k of builtinKinds) {
      const o: any = { apiVersion: "v1", kind: k.kind, metadata: { name: "x", namespace: "d" }, spec: {} };
      k.default(o);
      const once = JSON.stringify(o);
      k.default(o);
      expect(JSON.stringify(o), k.plural).toBe(once);
    }
  });
});

describe("unknown fields", () => {
  const deploy = kind("apps", "v1", "deployments");

  it("finds typos where the schema is complete and prunes them", () => {
    const d = deployment();
    d.spec.foo = 1;
    d.spec.template.spec.containers[0].imagee = "x";
    d.spec.template.spec.tolerations = [{ key: "k", operator: "Exists", efect: "NoSchedule" }];
    expect(deploy.unknownFields(d).sort()).toEqual([
      "spec.foo",
      "spec.template.spec.containers[0].imagee",
      "spec.template.spec.tolerations[0].efect",
    ]);
    const pruned = deploy.prune(d) as any;
    expect(pruned.spec.foo).toBeUndefined();
    expect(pruned.spec.template.spec.containers[0].imagee).toBeUndefined();
    expect(d.spec.foo).toBe(1);
  });

  it("keeps what is not modelled field by field", () => {
    const d = deployment();
    d.spec.template.spec.volumes = [{ name: "v", csi: { driver: "x", anything: { deep: true } } }];
    d.status = { whatever: 1 };
    d.metadata.annotations = { a: "b" };
    expect(deploy.unknownFields(d)).toEqual([]);
    const pruned = deploy.prune(d) as any;
    expect(pruned.spec.template.spec.volumes[0].csi.anything.deep).toBe(true);
    expect(pruned.status.whatever).toBe(1);
  });

  it("models the full Service spec", () => {
    const svc = kind("", "v1", "services");
    const s: KubeObject = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "s", namespace: "d" },
      spec: { ports: [{ port: 80, prot: "TCP" }], selctor: {} },
    };
    expect(svc.unknownFields(s).sort()).toEqual(["spec.ports[0].prot", "spec.selctor"]);
  });
});

describe("tables", () => {
  const now = new Date("2024-01-01T01:00:00Z");
  const pod = (status: object, extra: object = {}): KubeObject => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "d", creationTimestamp: "2024-01-01T00:56:40Z", ...extra },
    spec: { containers: [{ name: "a", image: "x" }], nodeName: "n1" },
    status,
  });

  it("prints pods like kubectl get", () => {
    const t = toTable(kind("", "v1", "pods"), [pod({ phase: "Pending" })], { now }) as any;
    expect(t.kind).toBe("Table");
    expect(t.apiVersion).toBe("meta.k8s.io/v1");
    expect(t.columnDefinitions.map((c: any) => [c.name, c.priority])).toEqual([
      ["Name", 0],
      ["Ready", 0],
      ["Status", 0],
      ["Restarts", 0],
      ["Age", 0],
      ["IP", 1],
      ["Node", 1],
      ["Nominated Node", 1],
      ["Readiness Gates", 1],
    ]);
    expect(t.columnDefinitions[0].format).toBe("name");
    expect(t.rows[0].cells).toEqual([
      "p",
      "0/1",
      "Pending",
      "0",
      "3m20s",
      "<none>",
      "n1",
      "<none>",
      "<none>",
    ]);
    expect(t.rows[0].object).toEqual({
      kind: "PartialObjectMetadata",
      apiVersion: "meta.k8s.io/v1",
      metadata: expect.objectContaining({ name: "p" }),
    });
  });

  it("shows waiting reasons, readiness, restarts and Terminating", () => {
    const k = kind("", "v1", "pods");
    const crash = pod({
      phase: "Running",
      containerStatuses: [
        {
          name: "a",
          ready: false,
          restartCount: 3,
          state: { waiting: { reason: "CrashLoopBackOff" } },
          lastState: { terminated: { finishedAt: "2024-01-01T00:59:00Z" } },
        },
      ],
    });
    const running = pod({
      phase: "Running",
      containerStatuses: [{ name: "a", ready: true, restartCount: 0, state: { running: {} } }],
    });
    const gone = pod({ phase: "Running" }, { deletionTimestamp: "2024-01-01T00:59:00Z" });
    const rows = (toTable(k, [crash, running, gone], { now, includeObject: "Object" }) as any).rows;
    expect(rows[0].cells.slice(1, 4)).toEqual(["0/1", "CrashLoopBackOff", "3 (60s ago)"]);
    expect(rows[1].cells.slice(1, 3)).toEqual(["1/1", "Running"]);
    expect(rows[2].cells[2]).toBe("Terminating");
    expect(rows[0].object.kind).toBe("Pod");
  });

  it("uses the real column sets of other kinds", () => {
    const names = (g: string, v: string, p: string) => kind(g, v, p).columns.map((c) => c.name.toUpperCase());
    expect(names("apps", "v1", "deployments")).toEqual([
      "NAME",
      "READY",
      "UP-TO-DATE",
      "AVAILABLE",
      "AGE",
      "CONTAINERS",
      "IMAGES",
      "SELECTOR",
    ]);
    expect(names("", "v1", "services")).toEqual([
      "NAME",
      "TYPE",
      "CLUSTER-IP",
      "EXTERNAL-IP",
      "PORT(S)",
      "AGE",
      "SELECTOR",
    ]);
    expect(names("", "v1", "secrets")).toEqual(["NAME", "TYPE", "DATA", "AGE"]);
    expect(names("", "v1", "configmaps")).toEqual(["NAME", "DATA", "AGE"]);
    expect(names("", "v1", "namespaces")).toEqual(["NAME", "STATUS", "AGE"]);
    expect(names("", "v1", "nodes").slice(0, 5)).toEqual(["NAME", "STATUS", "ROLES", "AGE", "VERSION"]);
    expect(names("batch", "v1", "jobs").slice(0, 5)).toEqual([
      "NAME",
      "STATUS",
      "COMPLETIONS",
      "DURATION",
      "AGE",
    ]);
    const ev = kind("", "v1", "events").columns.filter((c) => c.priority === 0);
    expect(ev.map((c) => c.name.toUpperCase())).toEqual(["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]);
    expect(names("rbac.authorization.k8s.io", "v1", "clusterroles")).toEqual(["NAME", "CREATED AT"]);
    expect(names("", "v1", "resourcequotas")).toEqual(["NAME", "AGE", "REQUEST", "LIMIT"]);
  });

  it("formats durations like Kubernetes", () => {
    expect(humanDuration(5_000)).toBe("5s");
    expect(humanDuration(200_000)).toBe("3m20s");
    expect(humanDuration((2 * 24 + 3) * 3600_000)).toBe("2d3h");
  });
});
