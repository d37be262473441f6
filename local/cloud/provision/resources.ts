/**
 * The resources made in the emulators: DynamoDB tables in DynamoDB Local, SNS topics, SQS queues
 * and subscriptions in fauxqs. Each creator reads its resource's properties (resolved), calls the
 * emulator, and returns what `Ref`/`Fn::GetAtt` answer for it and its entry in the topology.
 * Local names are the template's physical names where it gives them, else the logical ids.
 */
import { createHash } from 'node:crypto';
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import type { LocalEndpoints, LocalQueue, LocalSubscription, LocalTable, LocalTopic } from '../model';
import type { IntrinsicResolver, ProvisionedValue } from './intrinsics';
import { boolean, fromJsonText, integer, jsonDocument, propertyPath, readProperties } from './properties';
import type { TemplateResource } from './template';

export interface EmulatorClients {
  readonly dynamodb: DynamoDBClient;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
}

export interface CreationContext {
  readonly resolver: IntrinsicResolver;
  readonly endpoints: LocalEndpoints;
  readonly clients: EmulatorClients;
  readonly tableActiveTimeoutMs: number;
  /** Overrides every queue's visibility timeout (see ProvisionOptions). */
  readonly visibilityTimeoutSeconds?: number;
  /** Queues made so far, by ARN: a subscription's endpoint must be one of them. */
  readonly queuesByArn: ReadonlyMap<string, LocalQueue>;
  /** Resources deliberately left out while provisioning, and why (for errors when something refers to them). */
  readonly leftOut: Map<string, string>;
  readonly log: (message: string) => void;
}

export type Created =
  | { readonly kind: 'table'; readonly value: ProvisionedValue; readonly table: LocalTable }
  | { readonly kind: 'topic'; readonly value: ProvisionedValue; readonly topic: LocalTopic; readonly subscriptions: readonly LocalSubscription[] }
  | { readonly kind: 'queue'; readonly value: ProvisionedValue; readonly queue: LocalQueue }
  | { readonly kind: 'subscription'; readonly value: ProvisionedValue; readonly subscription: LocalSubscription }
  | { readonly kind: 'left-out' };

export type Creator = (resource: TemplateResource, context: CreationContext) => Promise<Created>;

// ---------------------------------------------------------------------------------------------
// DynamoDB tables

const keySchema = z.array(z.looseObject({ AttributeName: z.string(), KeyType: z.enum(['HASH', 'RANGE']) })).min(1);
const projection = z.looseObject({
  ProjectionType: z.enum(['ALL', 'KEYS_ONLY', 'INCLUDE']).optional(),
  NonKeyAttributes: z.array(z.string()).optional(),
});
const secondaryIndex = z.looseObject({ IndexName: z.string(), KeySchema: keySchema, Projection: projection });

const tableProperties = z.looseObject({
  TableName: z.string().optional(),
  AttributeDefinitions: z.array(z.looseObject({ AttributeName: z.string(), AttributeType: z.enum(['S', 'N', 'B']) })).min(1),
  KeySchema: keySchema,
  GlobalSecondaryIndexes: z.array(secondaryIndex).optional(),
  LocalSecondaryIndexes: z.array(secondaryIndex).optional(),
  StreamSpecification: z.looseObject({ StreamViewType: z.enum(['NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES', 'KEYS_ONLY']) }).optional(),
  TimeToLiveSpecification: z.looseObject({ AttributeName: z.string().optional(), Enabled: boolean }).optional(),
});

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const TABLE_POLL_MS = 25;

/**
 * A table, always on-demand (capacity means nothing locally), with its keys, indexes and stream;
 * encryption and point-in-time recovery are not emulated. Resolves once the table is ACTIVE.
 */
export const createTable: Creator = async (resource, context) => {
  const props = readProperties(context.resolver, resource, tableProperties);
  const tableName = props.TableName ?? resource.logicalId;
  if (!TABLE_NAME.test(tableName)) throw new Error(`${propertyPath(resource)}: ${JSON.stringify(tableName)} is not a valid DynamoDB table name`);
  const index = (i: z.output<typeof secondaryIndex>) => ({
    IndexName: i.IndexName,
    KeySchema: i.KeySchema.map(({ AttributeName, KeyType }) => ({ AttributeName, KeyType })),
    Projection: { ProjectionType: i.Projection.ProjectionType ?? 'ALL', ...(i.Projection.NonKeyAttributes ? { NonKeyAttributes: i.Projection.NonKeyAttributes } : {}) },
  });
  const { dynamodb } = context.clients;
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: props.AttributeDefinitions.map(({ AttributeName, AttributeType }) => ({ AttributeName, AttributeType })),
        KeySchema: props.KeySchema.map(({ AttributeName, KeyType }) => ({ AttributeName, KeyType })),
        ...(props.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: props.GlobalSecondaryIndexes.map(index) } : {}),
        ...(props.LocalSecondaryIndexes ? { LocalSecondaryIndexes: props.LocalSecondaryIndexes.map(index) } : {}),
        ...(props.StreamSpecification ? { StreamSpecification: { StreamEnabled: true, StreamViewType: props.StreamSpecification.StreamViewType } } : {}),
      }),
    );
  } catch (error) {
    // Already there (provisioned before on this DynamoDB Local): use it as it is.
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const table = await waitUntilActive(dynamodb, tableName, context.tableActiveTimeoutMs);
  const ttl = props.TimeToLiveSpecification;
  if (ttl?.Enabled && ttl.AttributeName) {
    await dynamodb
      .send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true } }))
      .catch((error: unknown) => {
        // Enabling it twice (a second provisioning of the same DynamoDB Local) is refused: harmless.
        if (!(error instanceof Error && /already enabled/i.test(error.message))) throw error;
      });
  }
  const arn = required(table.TableArn, `DynamoDB Local gave no ARN for the table ${tableName}`);
  const streamArn = props.StreamSpecification ? required(table.LatestStreamArn, `DynamoDB Local gave no stream for the table ${tableName}`) : undefined;
  return {
    kind: 'table',
    value: { ref: tableName, attributes: { Arn: arn, ...(streamArn ? { StreamArn: streamArn } : {}) } },
    table: { logicalId: resource.logicalId, tableName, arn, ...(streamArn ? { streamArn } : {}) },
  };
};

async function waitUntilActive(dynamodb: DynamoDBClient, tableName: string, timeoutMs: number): Promise<TableDescription> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    const active = Table?.TableStatus === 'ACTIVE' && (Table.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === undefined || i.IndexStatus === 'ACTIVE');
    if (Table && active) return Table;
    if (Date.now() > deadline) throw new Error(`The table ${tableName} was not ACTIVE within ${timeoutMs} ms (it is ${Table?.TableStatus ?? 'missing'})`);
    await new Promise((resolve) => setTimeout(resolve, TABLE_POLL_MS));
  }
}

// ---------------------------------------------------------------------------------------------
// SNS topics

const inlineSubscription = z.looseObject({ Endpoint: z.string(), Protocol: z.string() });
const topicProperties = z.looseObject({
  TopicName: z.string().optional(),
  DisplayName: z.string().optional(),
  FifoTopic: boolean.optional(),
  ContentBasedDeduplication: boolean.optional(),
  Subscription: z.array(inlineSubscription).optional(),
});

/** A topic with its display name and FIFO settings (KMS and policies mean nothing to fauxqs). */
export const createTopic: Creator = async (resource, context) => {
  const props = readProperties(context.resolver, resource, topicProperties);
  const name = physicalName(props.TopicName, resource.logicalId, 256, props.FifoTopic === true);
  const attributes: Record<string, string> = {};
  if (props.DisplayName !== undefined) attributes['DisplayName'] = props.DisplayName;
  if (props.FifoTopic !== undefined) attributes['FifoTopic'] = String(props.FifoTopic);
  if (props.ContentBasedDeduplication !== undefined) attributes['ContentBasedDeduplication'] = String(props.ContentBasedDeduplication);
  const { TopicArn } = await context.clients.sns.send(new CreateTopicCommand({ Name: name, Attributes: attributes }));
  const arn = required(TopicArn, `fauxqs gave no ARN for the topic ${name}`);

  // Subscriptions written inside the topic (CloudFormation allows it; CDK writes separate resources).
  const subscriptions: LocalSubscription[] = [];
  for (const [i, subscription] of (props.Subscription ?? []).entries()) {
    const id = `${resource.logicalId}.Subscription[${i}]`;
    const made = await subscribe(id, { TopicArn: arn, Protocol: subscription.Protocol, Endpoint: subscription.Endpoint }, resource, context);
    if (made) subscriptions.push(made);
  }
  return { kind: 'topic', value: { ref: arn, attributes: { TopicArn: arn, TopicName: name } }, topic: { logicalId: resource.logicalId, name, arn }, subscriptions };
};

// ---------------------------------------------------------------------------------------------
// SQS queues

const redrivePolicy = z.preprocess(
  fromJsonText,
  z.looseObject({ deadLetterTargetArn: z.string(), maxReceiveCount: integer }),
);
const queueProperties = z.looseObject({
  QueueName: z.string().optional(),
  VisibilityTimeout: integer.optional(),
  MessageRetentionPeriod: integer.optional(),
  DelaySeconds: integer.optional(),
  ReceiveMessageWaitTimeSeconds: integer.optional(),
  MaximumMessageSize: integer.optional(),
  RedrivePolicy: redrivePolicy.optional(),
  RedriveAllowPolicy: jsonDocument.optional(),
  FifoQueue: boolean.optional(),
  ContentBasedDeduplication: boolean.optional(),
  DeduplicationScope: z.string().optional(),
  FifoThroughputLimit: z.string().optional(),
});

/**
 * A queue with its timing attributes and its redrive policy (pointing at the dead-letter queue,
 * made before it since the policy refers to it); server-side encryption is not emulated.
 */
export const createQueue: Creator = async (resource, context) => {
  const props = readProperties(context.resolver, resource, queueProperties);
  const queueName = physicalName(props.QueueName, resource.logicalId, 80, props.FifoQueue === true);
  const attributes: Record<string, string> = {};
  for (const key of ['VisibilityTimeout', 'MessageRetentionPeriod', 'DelaySeconds', 'ReceiveMessageWaitTimeSeconds', 'MaximumMessageSize'] as const) {
    if (props[key] !== undefined) attributes[key] = String(props[key]);
  }
  if (context.visibilityTimeoutSeconds !== undefined) attributes['VisibilityTimeout'] = String(context.visibilityTimeoutSeconds);
  for (const key of ['FifoQueue', 'ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit'] as const) {
    if (props[key] !== undefined) attributes[key] = String(props[key]);
  }
  const redrive = props.RedrivePolicy
    ? { deadLetterTargetArn: props.RedrivePolicy.deadLetterTargetArn, maxReceiveCount: props.RedrivePolicy.maxReceiveCount }
    : undefined;
  if (redrive) {
    if (!context.queuesByArn.has(redrive.deadLetterTargetArn)) {
      throw new Error(`${propertyPath(resource, 'RedrivePolicy')}: the dead-letter queue ${redrive.deadLetterTargetArn} is not a queue of this template`);
    }
    attributes['RedrivePolicy'] = JSON.stringify(redrive);
  }
  if (props.RedriveAllowPolicy) attributes['RedriveAllowPolicy'] = JSON.stringify(props.RedriveAllowPolicy);

  const { sqs } = context.clients;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queueName, Attributes: attributes }));
  const queueUrl = required(QueueUrl, `fauxqs gave no URL for the queue ${queueName}`);
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const arn = required(Attributes?.['QueueArn'], `fauxqs gave no ARN for the queue ${queueName}`);
  return {
    kind: 'queue',
    value: { ref: queueUrl, attributes: { Arn: arn, QueueName: queueName, QueueUrl: queueUrl } },
    queue: { logicalId: resource.logicalId, queueName, queueUrl, arn, ...(redrive ? { redrive } : {}) },
  };
};

// ---------------------------------------------------------------------------------------------
// SNS subscriptions

const subscriptionProperties = z.looseObject({
  TopicArn: z.string(),
  Protocol: z.string(),
  Endpoint: z.string().optional(),
  RawMessageDelivery: boolean.optional(),
  FilterPolicy: jsonDocument.optional(),
  FilterPolicyScope: z.enum(['MessageAttributes', 'MessageBody']).optional(),
  RedrivePolicy: jsonDocument.optional(),
});

/** Protocols whose endpoints are outside the system (a mailbox, a phone, a web hook): not reachable locally, left out. */
const EXTERNAL_PROTOCOLS = new Set(['email', 'email-json', 'sms', 'http', 'https', 'application', 'firehose']);

/** A subscription of a queue to a topic, with raw delivery and the filter policy as fauxqs applies them. */
export const createSubscription: Creator = async (resource, context) => {
  const props = readProperties(context.resolver, resource, subscriptionProperties);
  const subscription = await subscribe(resource.logicalId, props, resource, context);
  return subscription ? { kind: 'subscription', value: { ref: subscription.subscriptionArn, attributes: {} }, subscription } : { kind: 'left-out' };
};

async function subscribe(
  logicalId: string,
  props: z.output<typeof subscriptionProperties>,
  resource: TemplateResource,
  context: CreationContext,
): Promise<LocalSubscription | undefined> {
  if (EXTERNAL_PROTOCOLS.has(props.Protocol)) {
    const reason = `its protocol ${props.Protocol} delivers outside the system, which the local cloud does not do`;
    context.leftOut.set(logicalId, reason);
    context.log(`Subscription ${logicalId} left out: ${reason}`);
    return undefined;
  }
  if (props.Protocol !== 'sqs') {
    throw new Error(`${propertyPath(resource)}: the local cloud delivers SNS to SQS only, not to ${props.Protocol} (subscription ${logicalId})`);
  }
  const queueArn = required(props.Endpoint, `${propertyPath(resource)}: an sqs subscription needs an Endpoint`);
  if (!context.queuesByArn.has(queueArn)) {
    throw new Error(`${propertyPath(resource, 'Endpoint')}: ${queueArn} is not a queue of this template, so fauxqs could deliver nothing (subscription ${logicalId})`);
  }
  const rawMessageDelivery = props.RawMessageDelivery ?? false;
  const attributes: Record<string, string> = { RawMessageDelivery: String(rawMessageDelivery) };
  if (props.FilterPolicy !== undefined) attributes['FilterPolicy'] = JSON.stringify(props.FilterPolicy);
  if (props.FilterPolicyScope !== undefined) attributes['FilterPolicyScope'] = props.FilterPolicyScope;
  if (props.RedrivePolicy !== undefined) attributes['RedrivePolicy'] = JSON.stringify(props.RedrivePolicy);
  const { SubscriptionArn } = await context.clients.sns.send(
    new SubscribeCommand({ TopicArn: props.TopicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: attributes, ReturnSubscriptionArn: true }),
  );
  return {
    logicalId,
    topicArn: props.TopicArn,
    queueArn,
    subscriptionArn: required(SubscriptionArn, `fauxqs gave no ARN for the subscription ${logicalId}`),
    rawMessageDelivery,
    ...(props.FilterPolicy !== undefined ? { filterPolicy: props.FilterPolicy } : {}),
  };
}

// ---------------------------------------------------------------------------------------------

/**
 * The template's physical name, else the logical id; one too long for the service keeps its
 * start and gets a hash of the whole, so that it stays readable and unique.
 */
function physicalName(given: string | undefined, logicalId: string, maxLength: number, fifo: boolean): string {
  if (given !== undefined) return given;
  const suffix = fifo ? '.fifo' : '';
  const room = maxLength - suffix.length;
  if (logicalId.length <= room) return `${logicalId}${suffix}`;
  const hash = createHash('sha256').update(logicalId).digest('hex').slice(0, 8);
  return `${logicalId.slice(0, room - hash.length - 1)}-${hash}${suffix}`;
}

function required<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new Error(message);
  return value;
}
