#!/usr/bin/env bash
# Creates a cluster on the LocalStack deployment (deploy.sh) and drives it with kubectl through the function
# URL: discovery, CRUD, a watch streamed through the RESPONSE_STREAM URL, and a Deployment rolled out by the
# controller, scheduler and kubelet functions from their SQS queues.
set -euo pipefail
cd "$(dirname "$0")/.."
source localstack/env.sh

API_URL=$(node -e '
  const o = require(require("path").resolve(process.argv[1]));
  const s = o[process.argv[2]];
  if (!s || !s.ApiUrl) { console.error("no ApiUrl output for " + process.argv[2] + " in " + process.argv[1]); process.exit(1); }
  process.stdout.write(s.ApiUrl.replace(/\/$/, ""));
' "$KUMULUS_OUTPUTS_FILE" "$KUMULUS_STACK")
echo "API: $API_URL"
curl -sf "$API_URL/readyz" && echo

CLUSTER="smoke-$(date +%s)"
KUBECONFIG_FILE=$(mktemp)
trap 'rm -f "$KUBECONFIG_FILE"' EXIT
npx tsx cli/main.ts create cluster --name "$CLUSTER" --nodes 2 --endpoint "$API_URL"
npx tsx cli/main.ts utils write-kubeconfig --cluster "$CLUSTER" --kubeconfig "$KUBECONFIG_FILE" --endpoint "$API_URL"
export KUBECONFIG="$KUBECONFIG_FILE"

kubectl version
kubectl get ns
kubectl create configmap smoke --from-literal=ok=yes
test "$(kubectl get configmap smoke -o jsonpath='{.data.ok}')" = yes
# A watch, streamed through the function URL: the label change must arrive as an event.
timeout 60 kubectl get configmap smoke -w --output-watch-events -o name > watch.log &
WATCH=$!
sleep 3
kubectl label configmap smoke smoke=watched
for _ in $(seq 1 30); do grep -q MODIFIED watch.log && break; sleep 1; done
kill "$WATCH" 2>/dev/null || true
grep MODIFIED watch.log || { echo "the watch saw no MODIFIED event" >&2; cat watch.log; exit 1; }
rm -f watch.log
kubectl delete configmap smoke

# Control loops: stream router -> SQS -> controllers, scheduler, kubelet.
kubectl create deployment web --image=nginx:1.27 --replicas=2
kubectl rollout status deployment/web --timeout=240s
kubectl get pods -o wide
echo "smoke test passed against $API_URL (cluster $CLUSTER)"
