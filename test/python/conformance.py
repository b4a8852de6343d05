"""The official Python client against a Kumulus cluster, using the client's own models and defaults.

Usage: conformance.py KUBECONFIG NAMESPACE. Prints one JSON object of findings; exits non-zero on the first
failed expectation, with the reason on stderr.
"""
import json
import sys
import threading
import time

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

config.load_kube_config(config_file=sys.argv[1])
ns = sys.argv[2]
core = client.CoreV1Api()
apps = client.AppsV1Api()
out = {}


def expect(cond, why):
    if not cond:
        print(why, file=sys.stderr)
        sys.exit(1)


# Models carry no apiVersion/kind unless the caller sets them: the server defaults them from the URL.
core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=ns, labels={"suite": "python"})))
out["namespace"] = core.read_namespace(ns).metadata.name

dep = client.V1Deployment(
    metadata=client.V1ObjectMeta(name="web", labels={"app": "web"}),
    spec=client.V1DeploymentSpec(
        replicas=1,
        selector=client.V1LabelSelector(match_labels={"app": "web"}),
        template=client.V1PodTemplateSpec(
            metadata=client.V1ObjectMeta(labels={"app": "web"}),
            spec=client.V1PodSpec(containers=[client.V1Container(name="nginx", image="nginx")]),
        ),
    ),
)
apps.create_namespaced_deployment(ns, dep)
# A dict body: the client picks its own patch content type, on the object and on its scale subresource.
apps.patch_namespaced_deployment("web", ns, {"metadata": {"labels": {"tier": "front"}}})
scaled = apps.patch_namespaced_deployment_scale("web", ns, {"spec": {"replicas": 2}})
out["scale"] = scaled.spec.replicas
expect(scaled.spec.replicas == 2, f"scale patch gave {scaled.spec.replicas}")
status = apps.read_namespaced_deployment_status("web", ns)
out["statusKind"] = status.kind
# The status subresource takes the client's default patch type too, and ignores spec changes sent there.
patched = apps.patch_namespaced_deployment_status(
    "web", ns, {"spec": {"replicas": 9}, "status": {"conditions": [{"type": "Suite", "status": "True"}]}}
)
out["statusPatch"] = patched.spec.replicas
expect(patched.spec.replicas == 2, f"a status patch changed spec.replicas to {patched.spec.replicas}")

# Watch: ADDED, MODIFIED and DELETED, as the client's Watch.stream yields them.
events = []
w = watch.Watch()


def watcher():
    for ev in w.stream(core.list_namespaced_config_map, ns, timeout_seconds=20):
        events.append((ev["type"], ev["object"].metadata.name))
        if ev["type"] == "DELETED":
            w.stop()


t = threading.Thread(target=watcher)
t.start()
time.sleep(1.0)
core.create_namespaced_config_map(ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="cm1"), data={"a": "1"}))
core.patch_namespaced_config_map("cm1", ns, {"data": {"a": "2"}})
core.delete_namespaced_config_map("cm1", ns)
t.join(30)
out["watch"] = [e[0] for e in events if e[1] == "cm1"]
expect(out["watch"] == ["ADDED", "MODIFIED", "DELETED"], f"watch saw {events}")

# Paging and selectors.
for i in range(5):
    core.create_namespaced_config_map(
        ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name=f"p{i}", labels={"page": "yes" if i % 2 else "no"}))
    )
first = core.list_namespaced_config_map(ns, limit=2, label_selector="page")
names = [c.metadata.name for c in first.items]
cont = first.metadata._continue
while cont:
    nxt = core.list_namespaced_config_map(ns, limit=2, label_selector="page", _continue=cont)
    names += [c.metadata.name for c in nxt.items]
    cont = nxt.metadata._continue
out["paged"] = names
expect(sorted(names) == [f"p{i}" for i in range(5)], f"paging gave {names}")
sel = core.list_namespaced_config_map(ns, label_selector="page=yes", field_selector="metadata.name!=p1")
out["selected"] = [c.metadata.name for c in sel.items]
expect(out["selected"] == ["p3"], f"selectors gave {out['selected']}")

# Delete options: dry run leaves the object; a stale precondition is a Conflict.
core.delete_namespaced_config_map("p0", ns, dry_run="All")
core.read_namespaced_config_map("p0", ns)
try:
    core.delete_namespaced_config_map(
        "p0", ns, body=client.V1DeleteOptions(preconditions=client.V1Preconditions(uid="not-the-uid"))
    )
    expect(False, "a stale uid precondition deleted the object")
except ApiException as e:
    out["precondition"] = e.status
    expect(e.status == 409, f"precondition answered {e.status}")
core.delete_namespaced_config_map("p0", ns, grace_period_seconds=0, propagation_policy="Foreground")

# Status errors as the client parses them.
try:
    core.read_namespaced_config_map("missing", ns)
except ApiException as e:
    body = json.loads(e.body)
    out["notFound"] = [e.status, body["reason"], body["details"]["name"]]
    expect(e.status == 404 and body["reason"] == "NotFound", f"not found answered {e.status} {e.body}")
try:
    core.create_namespaced_config_map(ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="Bad_Name")))
except ApiException as e:
    body = json.loads(e.body)
    out["invalid"] = [e.status, body["reason"], body["details"]["causes"][0]["field"]]
    expect(e.status == 422, f"invalid answered {e.status}")

print(json.dumps(out))
