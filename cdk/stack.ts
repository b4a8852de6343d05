import path from "node:path";
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { DynamoEventSource, SqsDlq, SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import {
  topology as defaultTopology,
  physicalName,
  type QueueName,
  queueEnvVar,
  type TableName,
  tableEnvVar,
} from "../lib/topology.ts";

// Kumulus on AWS: everything is derived from lib/topology.ts, the same module the local runtime reads.

export type Topology = typeof defaultTopology;

export interface KumulusStackProps extends StackProps {
  stage: string;
  removalPolicy: RemovalPolicy;
  /** The topology to deploy; tests pass a modified copy to prove the parity checks notice drift. */
  topology?: Topology;
  /** Bundle the real handlers with esbuild (synth and deploy). Tests switch it off to stay fast. */
  bundle?: boolean;
  /** Lets the function URL be called without SigV4 (only for LocalStack until API authentication lands). */
  publicApi?: boolean;
}

const ROOT = path.resolve(import.meta.dirname, "..");

export class KumulusStack extends Stack {
  readonly tables = {} as Record<TableName, dynamodb.Table>;
  readonly queues = {} as Record<QueueName, { queue: sqs.Queue; dlq: sqs.Queue }>;
  readonly functions: Record<string, lambda.Function> = {};
  readonly apiUrl: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, props: KumulusStackProps) {
    super(scope, id, props);
    const topo = props.topology ?? defaultTopology;
    const { stage } = props;

    for (const [name, t] of Object.entries(topo.tables) as [TableName, Topology["tables"][TableName]][]) {
      const sortKey = "sortKey" in t ? t.sortKey : undefined;
      this.tables[name] = new dynamodb.Table(this, `Table-${name}`, {
        tableName: physicalName(stage, name),
        partitionKey: { name: t.partitionKey.name, type: t.partitionKey.type as dynamodb.AttributeType },
        sortKey: sortKey ? { name: sortKey.name, type: sortKey.type as dynamodb.AttributeType } : undefined,
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        stream: "stream" in t ? (t.stream as dynamodb.StreamViewType) : undefined,
        timeToLiveAttribute: "ttlAttribute" in t ? t.ttlAttribute : undefined,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: stage === "prod",
        removalPolicy: props.removalPolicy,
      });
    }

    for (const [name, q] of Object.entries(topo.queues) as [QueueName, Topology["queues"][QueueName]][]) {
      const common = {
        fifo: q.fifo || undefined,
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        removalPolicy: props.removalPolicy,
      };
      const dlq = new sqs.Queue(this, `Dlq-${name}`, {
        ...common,
        queueName: physicalName(stage, `${name}-dlq`, q.fifo),
        retentionPeriod: Duration.days(14),
      });
      const queue = new sqs.Queue(this, `Queue-${name}`, {
        ...common,
        queueName: physicalName(stage, name, q.fifo),
        contentBasedDeduplication: q.fifo ? false : undefined,
        visibilityTimeout: Duration.seconds(q.visibilityTimeoutSeconds),
        deadLetterQueue: { queue: dlq, maxReceiveCount: q.maxReceiveCount },
      });
      this.queues[name] = { queue, dlq };
    }

    const streamFailures = new sqs.Queue(this, "StreamFailures", {
      queueName: physicalName(stage, "stream-failures"),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });

    const environment: Record<string, string> = {
      KUMULUS_STAGE: stage,
      NODE_OPTIONS: "--enable-source-maps",
    };
    for (const [name, t] of Object.entries(this.tables))
      environment[tableEnvVar(name as TableName)] = t.tableName;
    for (const [name, q] of Object.entries(this.queues))
      environment[queueEnvVar(name as QueueName)] = q.queue.queueUrl;

    let apiUrl: lambda.FunctionUrl | undefined;
    for (const [name, spec] of Object.entries(topo.functions)) {
      const common = {
        functionName: `kumulus-${stage}-${name}`,
        runtime: lambda.Runtime.NODEJS_22_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: spec.memoryMB,
        timeout: Duration.seconds(spec.timeoutSeconds),
        environment,
        description: spec.purpose,
      };
      const fn =
        props.bundle === false
          ? new lambda.Function(this, `Fn-${name}`, {
              ...common,
              handler: "index.handler",
              code: lambda.Code.fromInline("exports.handler = async () => {};"),
            })
          : new NodejsFunction(this, `Fn-${name}`, {
              ...common,
              entry: path.join(ROOT, spec.entry),
              handler: "handler",
              projectRoot: ROOT,
              depsLockFilePath: path.join(ROOT, "package-lock.json"),
              bundling: {
                format: OutputFormat.ESM,
                target: "node22",
                minify: true,
                sourceMap: true,
                forceDockerBundling: false,
                mainFields: ["module", "main"],
                banner:
                  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
                externalModules: ["@aws-sdk/*"],
              },
            });
      this.functions[name] = fn;
      for (const t of spec.tables) {
        if (t.access === "read") this.tables[t.name].grantReadData(fn);
        else this.tables[t.name].grantReadWriteData(fn);
      }
      for (const q of spec.sendsTo) this.queues[q].queue.grantSendMessages(fn);
      for (const trigger of spec.triggers) {
        if (trigger.type === "stream") {
          fn.addEventSource(
            new DynamoEventSource(this.tables[trigger.table], {
              startingPosition: lambda.StartingPosition[trigger.startingPosition],
              batchSize: trigger.batchSize,
              maxBatchingWindow: Duration.seconds(trigger.maxBatchingWindowSeconds),
              bisectBatchOnError: trigger.bisectBatchOnError,
              retryAttempts: trigger.retryAttempts,
              parallelizationFactor: trigger.parallelizationFactor,
              reportBatchItemFailures: true,
              onFailure: new SqsDlq(streamFailures),
            }),
          );
          new cloudwatch.Alarm(this, `IteratorAge-${name}`, {
            alarmDescription: `${name} is falling behind the ${trigger.table} stream: watches and controllers see changes late`,
            metric: fn.metric("IteratorAge", { statistic: "Maximum", period: Duration.minutes(1) }),
            threshold: 60_000,
            evaluationPeriods: 3,
          });
        } else if (trigger.type === "sqs") {
          fn.addEventSource(
            new SqsEventSource(this.queues[trigger.queue].queue, {
              batchSize: trigger.batchSize,
              reportBatchItemFailures: true,
              maxConcurrency: trigger.maxConcurrency,
            }),
          );
        } else if (trigger.type === "schedule") {
          new events.Rule(this, `Schedule-${name}`, {
            description: `Kumulus ${stage} ${name}: time-based work`,
            schedule: events.Schedule.rate(Duration.minutes(trigger.rateMinutes)),
            targets: [new targets.LambdaFunction(fn)],
          });
        }
      }
      if ("http" in spec && spec.http) {
        apiUrl = fn.addFunctionUrl({
          authType: props.publicApi ? lambda.FunctionUrlAuthType.NONE : lambda.FunctionUrlAuthType.AWS_IAM,
          invokeMode: lambda.InvokeMode[spec.http.invokeMode],
        });
      }
      new cloudwatch.Alarm(this, `Errors-${name}`, {
        alarmDescription: `${name} function errors`,
        metric: fn.metricErrors({ period: Duration.minutes(5) }),
        threshold: 1,
        evaluationPeriods: 1,
      });
    }
    for (const [name, { dlq }] of Object.entries(this.queues)) {
      new cloudwatch.Alarm(this, `DlqDepth-${name}`, {
        alarmDescription: `Poison work items are waiting in the ${name} DLQ`,
        metric: dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
        threshold: 1,
        evaluationPeriods: 1,
      });
    }
    new cloudwatch.Alarm(this, "DlqDepth-stream", {
      alarmDescription: "Stream batches the router could not process landed in the stream-failures queue",
      metric: streamFailures.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
    });
    if (!apiUrl) throw new Error("the topology has no HTTP function");
    this.apiUrl = apiUrl;
    new CfnOutput(this, "ApiUrl", {
      value: apiUrl.url,
      description: "Kumulus API endpoint: clusters at <ApiUrl>clusters/NAME",
    });
    for (const [name, t] of Object.entries(this.tables))
      new CfnOutput(this, `Table${name[0].toUpperCase()}${name.slice(1)}`, { value: t.tableName });
  }
}

export function removalPolicyOf(s: string | undefined, stage: string): RemovalPolicy {
  if (s === "destroy") return RemovalPolicy.DESTROY;
  if (s === "retain") return RemovalPolicy.RETAIN;
  return stage === "prod" ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
}
