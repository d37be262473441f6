/**
 * The local cloud's picture of the deployed system, read from the synthesized CloudFormation
 * template: what the provisioner creates, and what the function host, the pollers and the HTTP
 * bridge run. Every value is already resolved to its local name, ARN or URL.
 */

/** A Lambda function: the very bundle `cdk synth` produced, with its resolved configuration. */
export interface LocalFunction {
  readonly logicalId: string;
  /** Local function name (the logical id). */
  readonly name: string;
  readonly arn: string;
  /** Absolute path of the asset directory that holds the bundle (`cdk.out/asset.<hash>`). */
  readonly codeDir: string;
  /** `index.handler`: file (without extension) and export. */
  readonly handler: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly description?: string;
}

/** An SQS event source mapping (queue → function). */
export interface SqsMapping {
  readonly logicalId: string;
  readonly functionLogicalId: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  readonly reportBatchItemFailures: boolean;
  /** How many batches may be in flight at once (1 unless the template allows more). */
  readonly maxConcurrency: number;
}

/** A DynamoDB Stream event source mapping (table stream → function). */
export interface StreamMapping {
  readonly logicalId: string;
  readonly functionLogicalId: string;
  readonly tableName: string;
  readonly streamArn: string;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  readonly batchSize: number;
  readonly bisectBatchOnFunctionError: boolean;
  /** -1: retry until the record expires. */
  readonly maximumRetryAttempts: number;
  /** -1: no limit. */
  readonly maximumRecordAgeSeconds: number;
  readonly reportBatchItemFailures: boolean;
  /** The queue that receives a failed batch's description, if any. */
  readonly onFailureQueueUrl?: string;
  /** Lambda event filter patterns (parsed JSON); a record passes if it matches any. None: all pass. */
  readonly filterPatterns: readonly unknown[];
}

/** An HTTP API route (`POST /orders/{orderId}/cancel`) and the function of its integration. */
export interface HttpRoute {
  readonly method: string;
  /** With `{param}` placeholders, as in the route key. */
  readonly path: string;
  readonly functionLogicalId: string;
}

export interface LocalTable {
  readonly logicalId: string;
  readonly tableName: string;
  readonly arn: string;
  readonly streamArn?: string;
}

export interface LocalQueue {
  readonly logicalId: string;
  readonly queueName: string;
  readonly queueUrl: string;
  readonly arn: string;
  /** The dead-letter queue's ARN and the receive count that moves a message there. */
  readonly redrive?: { readonly deadLetterTargetArn: string; readonly maxReceiveCount: number };
}

export interface LocalTopic {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
}

export interface LocalSubscription {
  readonly logicalId: string;
  readonly topicArn: string;
  readonly queueArn: string;
  readonly subscriptionArn: string;
  readonly rawMessageDelivery: boolean;
  readonly filterPolicy?: unknown;
}

/** Everything provisioned from one template. */
export interface LocalTopology {
  readonly stackName: string;
  readonly tables: readonly LocalTable[];
  readonly topics: readonly LocalTopic[];
  readonly queues: readonly LocalQueue[];
  readonly subscriptions: readonly LocalSubscription[];
  readonly functions: readonly LocalFunction[];
  readonly sqsMappings: readonly SqsMapping[];
  readonly streamMappings: readonly StreamMapping[];
  readonly routes: readonly HttpRoute[];
  /** Stack outputs, resolved (the API URL is filled in by the HTTP bridge). */
  readonly outputs: Readonly<Record<string, string>>;
}

/** The endpoints of the emulators, and the region and account the local ARNs use. */
export interface LocalEndpoints {
  readonly dynamodb: string;
  /** fauxqs serves SNS and SQS on one endpoint. */
  readonly snsSqs: string;
  readonly region: string;
  readonly accountId: string;
}

/** Runs a function with a Lambda-shaped event; resolves to its result, rejects with its error. */
export type Invoke = (functionLogicalId: string, event: unknown) => Promise<unknown>;
