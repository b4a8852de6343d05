#!/usr/bin/env bash
# Creates a cluster on the LocalStack deployment and drives it with kubectl.
set -euo pipefail
cd "$(dirname "$0")/.."
source localstack/env.sh
API_URL=$(node -e "const o=require('./localstack/outputs.json'); process.stdout.write(o[process.env.KUMULUS_STACK].ApiUrl)")
API_URL=${API_URL%/}
echo "API: $API_URL"
npx kumulus create cluster --name smoke --endpoint "$API_URL" || true
KUBECONFIG_FILE=$(mktemp)
npx kumulus utils write-kubeconfig --cluster smoke --kubeconfig "$KUBECONFIG_FILE" --endpoint "$API_URL"
export KUBECONFIG="$KUBECONFIG_FILE"
kubectl version
kubectl get ns
kubectl create configmap smoke --from-literal=ok=yes
kubectl get configmap smoke -o jsonpath='{.data.ok}'; echo
kubectl delete configmap smoke
echo "smoke test passed"
