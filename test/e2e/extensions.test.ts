import { beforeAll, describe, expect, it } from "vitest";
import { newCluster, type TestCluster } from "../helpers.ts";

// What Helm charts and EKS add-ons install besides workloads: webhook configurations, admission policies,
// CSI objects, RuntimeClasses, APIServices and PodTemplates are stored and listed, so such charts install.

let k: TestCluster;

beforeAll(async () => {
  k = await newCluster("ext", 0);
});

const manifest = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: chart-webhook}
webhooks:
- name: validate.example.com
  admissionReviewVersions: [v1]
  sideEffects: None
  clientConfig: {service: {name: webhook, namespace: default, path: /validate}}
  rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: chart-mutator}
webhooks: []
---
apiVersion: storage.k8s.io/v1
kind: CSIDriver
metadata: {name: efs.csi.aws.com}
spec: {attachRequired: false}
---
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata: {name: gvisor}
handler: runsc
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.custom.metrics.k8s.io}
spec:
  group: custom.metrics.k8s.io
  version: v1beta1
  groupPriorityMinimum: 100
  versionPriority: 100
  service: {name: adapter, namespace: default}
---
apiVersion: v1
kind: PodTemplate
metadata: {name: tpl}
template:
  metadata: {labels: {app: tpl}}
  spec: {containers: [{name: c, image: busybox}]}
`;

describe("chart-installed extension kinds", () => {
  it("stores, lists and prints them like kube", () => {
    const r = k.kubectl(["apply", "-f", "-"], manifest);
    expect(r.code, r.stderr).toBe(0);
    for (const line of [
      "validatingwebhookconfiguration.admissionregistration.k8s.io/chart-webhook created",
      "mutatingwebhookconfiguration.admissionregistration.k8s.io/chart-mutator created",
      "csidriver.storage.k8s.io/efs.csi.aws.com created",
      "runtimeclass.node.k8s.io/gvisor created",
      "apiservice.apiregistration.k8s.io/v1beta1.custom.metrics.k8s.io created",
      "podtemplate/tpl created",
    ])
      expect(r.stdout).toContain(line);
    expect(k.kubectl(["apply", "-f", "-"], manifest).stdout).toContain(
      "runtimeclass.node.k8s.io/gvisor unchanged",
    );
    expect(k.kubectl(["get", "validatingwebhookconfigurations"]).stdout).toMatch(/chart-webhook\s+1\s+/);
    expect(k.kubectl(["get", "runtimeclass"]).stdout).toMatch(/gvisor\s+runsc\s+/);
    expect(k.kubectl(["get", "csidriver", "efs.csi.aws.com"]).stdout).toMatch(
      /efs\.csi\.aws\.com\s+false\s+/,
    );
    expect(k.kubectl(["get", "apiservice"]).stdout).toContain("default/adapter");
    expect(k.kubectl(["get", "podtemplates"]).stdout).toMatch(/tpl\s+c\s+busybox\s+app=tpl/);
    const res = k.kubectl(["api-resources", "--api-group=admissionregistration.k8s.io"]);
    expect(res.stdout).toContain("validatingadmissionpolicies");
    // A pod is admitted although the webhook's service does not exist: webhooks are stored, not called.
    expect(k.kubectl(["run", "p", "--image=nginx"]).code).toBe(0);
    expect(k.kubectl(["delete", "-f", "-"], manifest).code).toBe(0);
    expect(k.kubectl(["get", "runtimeclass", "gvisor"]).code).not.toBe(0);
  });
});
