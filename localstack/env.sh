# Shared settings for the LocalStack scripts and the workflow. Source it; do not run it.
export LOCALSTACK_ENDPOINT="${LOCALSTACK_ENDPOINT:-http://localhost:4566}"
export AWS_ENDPOINT_URL="$LOCALSTACK_ENDPOINT"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
export AWS_REGION="${AWS_REGION:-us-east-1}"
export AWS_DEFAULT_REGION="$AWS_REGION"
export CDK_DEFAULT_ACCOUNT="${CDK_DEFAULT_ACCOUNT:-000000000000}"
export CDK_DEFAULT_REGION="$AWS_REGION"
export KUMULUS_STAGE="${KUMULUS_STAGE:-localstack}"
# Must match cdk/kumulus-app.ts: the stack is Kumulus-<stage> and has the ApiUrl output.
export KUMULUS_STACK="Kumulus-${KUMULUS_STAGE}"
export KUMULUS_OUTPUTS_FILE="localstack/outputs.json"
# The CDK CLI and its LocalStack wrapper, pinned; fetched by npx on first use.
export CDKLOCAL="npx --yes --package aws-cdk-local@3.0.4 --package aws-cdk@2.1148.1 cdklocal"
