import type { Stack } from "aws-cdk-lib";
import { NagSuppressions } from "cdk-nag";
import type { KumulusStack } from "./stack.ts";

// cdk-nag's AwsSolutions pack runs on every synth and in infra-tests/template.test.ts. Each suppression is
// as narrow as cdk-nag allows and says why the finding does not apply.
export function suppressions(stack: Stack): void {
  const k = stack as KumulusStack;
  NagSuppressions.addResourceSuppressions(Object.values(k.functions ?? {}), [
    {
      id: "AwsSolutions-L1",
      reason:
        "Pinned to nodejs22.x, the Lambda runtime Kumulus targets and tests (Node 22 or later is required); moving to a newer runtime is a deliberate, tested change, not an automatic one.",
    },
  ]);
  for (const fn of Object.values(k.functions ?? {})) {
    if (!fn.role) continue;
    NagSuppressions.addResourceSuppressions(
      fn.role,
      [
        {
          id: "AwsSolutions-IAM5",
          reason:
            "dynamodb:ListStreams has no resource-level permissions in IAM, so the DynamoDB stream event source mapping needs it on '*'; every other statement names this stack's own tables, streams, queues and log group.",
          appliesTo: ["Resource::*"],
        },
      ],
      true,
    );
  }
  if (k.streamFailures) {
    NagSuppressions.addResourceSuppressions(k.streamFailures, [
      {
        id: "AwsSolutions-SQS3",
        reason:
          "This queue is itself a dead-letter destination: the objects stream mapping's on-failure destination for batches that exhausted their retries. It is alarmed on depth.",
      },
    ]);
  }
  if (k.alarmTopic) {
    NagSuppressions.addResourceSuppressions(k.alarmTopic, [
      {
        id: "AwsSolutions-SNS2",
        reason:
          "The topic carries only CloudWatch alarm state changes (alarm names and metric values, no user data). CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, and a customer-managed KMS key would cost about $1 a month at idle, against Kumulus' nothing-at-idle design. Publishing requires TLS (enforceSSL).",
      },
    ]);
  }
}
