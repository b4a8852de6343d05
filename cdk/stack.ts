import path from "node:path";
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as cwActions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { DynamoEventSource, SqsDlq, SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
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
import {
  DLQ_RETENTION_SECONDS,
  type FunctionDefinition,
  functionName,
  rateExpression,
  STREAM_FAILURES,
  type Topology,
} from "../lib/topology-wiring.ts";

// Kumulus on AWS. Every table, queue, function and trigger comes from lib/topology.ts, the module the local
// runtime reads too; infra-tests/parity.test.ts compares this stack's template with lib/topology-wiring.ts.

export type { Topology };

/** Builds a function's code. Absent: the real entry is bundled locally with esbuild (no Docker). */
export type CodeFactory = (fn: FunctionDefinition) => lambda.Code;

export interface KumulusStackProps extends StackProps {
  stage: string;
  /** Applies to tables, queues and log groups. */
  removalPolicy: RemovalPolicy;
  /** The topology to deploy; tests pass a modified copy to prove the parity checks notice drift. */
  topology?: Topology;
  /** Tests pass stub code so they need not bundle; synth and deploy bundle the real handlers. */
  code?: CodeFactory;
  /** Lets the function URL be called without SigV4 (LocalStack, or a private test account). */
  publicApi?: boolean;
  /** Subscribes this address to the alarm topic. */
  alarmEmail?: string;
  logRetention?: logs.RetentionDays;
}

/** Default esbuild settings: one ESM file per function, AWS SDK included so it is the version we test. */
export const BUNDLING = {
  format: OutputFormat.ESM,
  target: "node22",
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  forceDockerBundling: false,
  mainFields: ["module", "main"],
  // ESM output still has CommonJS dependencies that call require() on Node built-ins.
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  externalModules: [] as string[],
};

export const ROOT = path.resolve(import.meta.dirname, "..");

export class KumulusStack extends Stack {
  readonly tables: Record<string, dynamodb.Table> = {};
  readonly queues: Record<string, { queue: sqs.Queue; dlq: sqs.Queue }> = {};
  readonly functions: Record<string, lambda.Function> = {};
  readonly streamFailures: sqs.Queue;
  readonly alarmTopic: sns.Topic;
  readonly apiUrl: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, props: KumulusStackProps) {
    super(scope, id, props);
    const topo = props.topology ?? (defaultTopology as unknown as Topology);
    const { stage, removalPolicy } = props;

    // DynamoDB: on demand, point-in-time recovery, the objects stream, TTL on the watch log and blobs.
    for (const [name, t] of Object.entries(topo.tables)) {
      this.tables[name] = new dynamodb.Table(this, `Table-${name}`, {
        tableName: physicalName(stage, name),
        partitionKey: { name: t.partitionKey.name, type: t.partitionKey.type as dynamodb.AttributeType },
        sortKey: t.sortKey
          ? { name: t.sortKey.name, type: t.sortKey.type as dynamodb.AttributeType }
          : undefined,
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        stream: t.stream ? dynamodb.StreamViewType[t.stream] : undefined,
        timeToLiveAttribute: t.ttlAttribute,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: stage === "prod",
        removalPolicy,
      });
    }

    // SQS: each work queue has a DLQ; FIFO where the topology says so (ordering per message group = per key).
    for (const [name, q] of Object.entries(topo.queues)) {
      const common = {
        fifo: q.fifo || undefined,
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        removalPolicy,
      };
      const dlq = new sqs.Queue(this, `Dlq-${name}`, {
        ...common,
        queueName: physicalName(stage, `${name}-dlq`, q.fifo),
        retentionPeriod: Duration.seconds(DLQ_RETENTION_SECONDS),
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

    // Stream batches that exhaust their retries are recorded here (the mapping's on-failure destination).
    this.streamFailures = new sqs.Queue(this, "StreamFailures", {
      queueName: physicalName(stage, STREAM_FAILURES),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(DLQ_RETENTION_SECONDS),
      removalPolicy,
    });

    this.alarmTopic = new sns.Topic(this, "Alarms", {
      topicName: physicalName(stage, "alarms"),
      displayName: `Kumulus ${stage} alarms`,
      enforceSSL: true,
    });
    if (props.alarmEmail)
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    const alarm = (id: string, p: cloudwatch.AlarmProps) => {
      const a = new cloudwatch.Alarm(this, id, {
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...p,
        alarmName: `kumulus-${stage}-${id}`,
      });
      a.addAlarmAction(new cwActions.SnsAction(this.alarmTopic));
      return a;
    };

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
      const def: FunctionDefinition = {
        logical: name,
        name: functionName(stage, name),
        entry: spec.entry,
        memoryMB: spec.memoryMB,
        timeoutSeconds: spec.timeoutSeconds,
        environmentKeys: Object.keys(environment),
      };
      const logGroup = new logs.LogGroup(this, `Logs-${name}`, {
        retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
        removalPolicy,
      });
      // An explicit role: logs go to this function's own log group only (no AWS-managed policy), data
      // access comes from the grants below.
      const role = new iam.Role(this, `Role-${name}`, {
        assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
        description: `Kumulus ${stage} ${name}`,
      });
      logGroup.grantWrite(role);
      const common = {
        functionName: def.name,
        description: spec.purpose,
        runtime: lambda.Runtime.NODEJS_22_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: spec.memoryMB,
        timeout: Duration.seconds(spec.timeoutSeconds),
        environment,
        role,
        logGroup,
      };
      const fn = props.code
        ? new lambda.Function(this, `Fn-${name}`, {
            ...common,
            handler: "index.handler",
            code: props.code(def),
          })
        : new NodejsFunction(this, `Fn-${name}`, {
            ...common,
            entry: path.join(ROOT, spec.entry),
            handler: "handler",
            projectRoot: ROOT,
            depsLockFilePath: path.join(ROOT, "package-lock.json"),
            bundling: BUNDLING,
          });
      fn.node.addDependency(logGroup);
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
              onFailure: new SqsDlq(this.streamFailures),
            }),
          );
          alarm(`IteratorAge-${name}`, {
            alarmDescription: `${name} is more than a minute behind the ${trigger.table} stream: watches and controllers see changes late`,
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
            ruleName: `kumulus-${stage}-${name}`,
            description: `Kumulus ${stage}: runs ${name} (${spec.purpose})`,
            schedule: events.Schedule.expression(rateExpression(trigger.rateMinutes)),
            // A missed tick is superseded by the next one: retry briefly, never deliver stale ticks.
            targets: [new targets.LambdaFunction(fn, { retryAttempts: 2, maxEventAge: Duration.minutes(2) })],
          });
        }
      }

      if (spec.http) {
        apiUrl = fn.addFunctionUrl({
          authType: props.publicApi ? lambda.FunctionUrlAuthType.NONE : lambda.FunctionUrlAuthType.AWS_IAM,
          invokeMode: lambda.InvokeMode[spec.http.invokeMode],
        });
      }

      alarm(`Errors-${name}`, {
        alarmDescription: `The ${name} function failed (unhandled errors or timeouts)`,
        metric: fn.metricErrors({ period: Duration.minutes(5), statistic: "Sum" }),
        threshold: 1,
        evaluationPeriods: 1,
      });
    }

    const dlqs = [
      ...Object.entries(this.queues).map(([name, q]) => [name, q.dlq] as const),
      [STREAM_FAILURES, this.streamFailures] as const,
    ];
    for (const [name, dlq] of dlqs) {
      alarm(`DlqDepth-${name}`, {
        alarmDescription: `Messages are waiting in the ${name} dead-letter queue: inspect, fix, then redrive`,
        metric: dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
        threshold: 1,
        evaluationPeriods: 1,
      });
    }

    if (!apiUrl) throw new Error("the topology has no HTTP function");
    this.apiUrl = apiUrl;
    new CfnOutput(this, "ApiUrl", {
      value: apiUrl.url,
      description: "Kumulus API endpoint; a cluster's Kubernetes API is <ApiUrl>clusters/NAME",
    });
    new CfnOutput(this, "Stage", { value: stage });
    new CfnOutput(this, "AlarmTopicArn", { value: this.alarmTopic.topicArn });
    for (const [name, t] of Object.entries(this.tables))
      new CfnOutput(this, `Table${pascal(name)}`, { value: t.tableName });
    for (const [name, q] of Object.entries(this.queues))
      new CfnOutput(this, `Dlq${pascal(name)}Url`, { value: q.dlq.queueUrl });
  }
}

const pascal = (s: string) => s.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());

/** The removal policy parameter: destroy|retain; by default retain on prod, destroy elsewhere. */
export function removalPolicyOf(s: string | undefined, stage: string): RemovalPolicy {
  if (s === "destroy") return RemovalPolicy.DESTROY;
  if (s === "retain") return RemovalPolicy.RETAIN;
  if (s) throw new Error(`removalPolicy must be destroy or retain, not ${JSON.stringify(s)}`);
  return stage === "prod" ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
}
