# Shared settings for the LocalStack scripts. Source it; do not run it.
export LOCALSTACK_ENDPOINT="${LOCALSTACK_ENDPOINT:-http://localhost:4566}"
export AWS_ENDPOINT_URL="$LOCALSTACK_ENDPOINT"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
export AWS_REGION="${AWS_REGION:-us-east-1}"
export AWS_DEFAULT_REGION="$AWS_REGION"
export CDK_DEFAULT_ACCOUNT="${CDK_DEFAULT_ACCOUNT:-000000000000}"
export CDK_DEFAULT_REGION="$AWS_REGION"
export KUMULUS_STAGE="${KUMULUS_STAGE:-localstack}"
# Must match cdk/app.ts: the stack is Kumulus-<stage> and exports the ApiUrl output.
export KUMULUS_STACK="Kumulus-${KUMULUS_STAGE}"
