import type { Stack } from "aws-cdk-lib";
import { NagSuppressions } from "cdk-nag";

// Every suppression says why the finding does not apply to Kumulus.
export function suppressions(stack: Stack): void {
  NagSuppressions.addStackSuppressions(stack, [
    {
      id: "AwsSolutions-IAM4",
      reason:
        "The Lambda basic execution role (CloudWatch Logs only) is the AWS-managed policy for exactly that; data access is granted per table and queue.",
      appliesTo: ["Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
    },
    {
      id: "AwsSolutions-IAM5",
      reason:
        "The wildcards are resource suffixes CDK grants generate for a table's own indexes and streams (table/<name>/index/*, stream/*), not wildcard actions.",
    },
    {
      id: "AwsSolutions-L1",
      reason:
        "Functions are pinned to nodejs22.x, the runtime the project targets and tests (Node 20+ locally); moving to a newer runtime is a deliberate change.",
    },
    {
      id: "AwsSolutions-SQS3",
      reason:
        "These queues are the dead-letter queues themselves (work-item DLQs and the stream router's on-failure destination).",
    },
  ]);
}
