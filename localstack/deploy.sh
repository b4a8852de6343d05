#!/usr/bin/env bash
# Deploys the CDK app (cdk/) to a running LocalStack (docker-compose.yml) with cdklocal, and writes the stack
# outputs (ApiUrl) to localstack/outputs.json for smoke.sh and infra-tests/localstack.test.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
source localstack/env.sh

curl -sf "$LOCALSTACK_ENDPOINT/_localstack/health" >/dev/null ||
  { echo "LocalStack is not answering at $LOCALSTACK_ENDPOINT; start it with: docker compose -f localstack/docker-compose.yml up -d --wait" >&2; exit 1; }

CONTEXT=(-c "stage=$KUMULUS_STAGE" -c removalPolicy=destroy -c publicApi=true)
$CDKLOCAL bootstrap "aws://${CDK_DEFAULT_ACCOUNT}/${AWS_REGION}" "${CONTEXT[@]}"
$CDKLOCAL deploy "$KUMULUS_STACK" "${CONTEXT[@]}" --require-approval never --outputs-file "$KUMULUS_OUTPUTS_FILE"
echo "deployed $KUMULUS_STACK; outputs in $KUMULUS_OUTPUTS_FILE"
