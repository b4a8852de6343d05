#!/usr/bin/env bash
# Deploys the CDK app to a running LocalStack (see docker-compose.yml) with cdklocal.
set -euo pipefail
cd "$(dirname "$0")/.."
source localstack/env.sh
CDKLOCAL="npx --yes --package aws-cdk-local@3 --package aws-cdk@2 cdklocal"
$CDKLOCAL bootstrap "aws://${CDK_DEFAULT_ACCOUNT}/${AWS_REGION}" -c stage="$KUMULUS_STAGE"
$CDKLOCAL deploy "$KUMULUS_STACK" --require-approval never \
  -c stage="$KUMULUS_STAGE" -c removalPolicy=destroy -c publicApi=true \
  --outputs-file localstack/outputs.json
echo "deployed $KUMULUS_STACK; outputs in localstack/outputs.json"
