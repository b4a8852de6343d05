#!/usr/bin/env bash
# Removes the Kumulus stack from LocalStack (the container itself: docker compose ... down).
set -euo pipefail
cd "$(dirname "$0")/.."
source localstack/env.sh
$CDKLOCAL destroy "$KUMULUS_STACK" -c "stage=$KUMULUS_STAGE" -c removalPolicy=destroy -c publicApi=true --force
rm -f "$KUMULUS_OUTPUTS_FILE"
