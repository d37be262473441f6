/**
 * Provisioning from the synthesized template, against real DynamoDB Local and fauxqs: what the
 * emulators hold afterwards is what the template describes, messages flow from every topic to
 * exactly the queues subscribed to it, and the runtime records (functions, mappings, routes,
 * outputs) are fully resolved to local names.
 *
 * It reads the cloud assembly in `cdk.out`, brought up to date by the integration project's
 * global setup (test/support/synth-setup.ts) before any test runs.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetTopicAttributesCommand, PublishCommand, SNSClient, type MessageAttributeValue } from '@aws-sdk/client-sns';
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ORDER_ROUTES } from '../../../lib/constructs/order-api';
import { MAX_RECEIVE_COUNT } from '../../../lib/constructs/event-subscription';
import { STREAM_MAX_RECORD_AGE, STREAM_RETRY_ATTEMPTS } from '../../../lib/constructs/outbox-dispatcher';
import { OUTBOX_KIND } from '../../../lambdas/shared/infrastructure/outbox-item';
import { IntrinsicError } from '../../../local/cloud/provision/intrinsics';
import { provision, provisionStack } from '../../../local/cloud/provision/provision';
import { loadStack, parseTemplate, resourcesOfType, type AssemblyStack } from '../../../local/cloud/provision/template';
import type { LocalEndpoints, LocalTopology } from '../../../local/cloud/model';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/emulators/credentials';
import { startDynamoDbLocal, type RunningDynamoDbLocal } from '../../../local/emulators/dynamodb-local';
import { startFauxqs, type RunningFauxqs } from '../../../local/emulators/fauxqs';
import { DEFAULT_CLOUD_ASSEMBLY, ensureSynthesized } from '../../../local/cloud/synth';

const SYNTH_TIMEOUT_MS = 180_000;
const SETUP_TIMEOUT_MS = SYNTH_TIMEOUT_MS + 60_000;
const EMULATOR_TIMEOUT_MS = 60_000;
const DELIVERY_TIMEOUT_MS = 10_000;
/** fauxqs puts this account in every ARN it makes. */
const LOCAL_ACCOUNT_ID = '000000000000';

interface Emulators {
  readonly dynamo: RunningDynamoDbLocal;
  readonly fauxqs: RunningFauxqs;
  readonly endpoints: LocalEndpoints;
}

let assemblyDir: string;
let stack: AssemblyStack;
let emulators: Emulators;
let topology: LocalTopology;
let dynamodb: DynamoDBClient;
let sns: SNSClient;
let sqs: SQSClient;

beforeAll(async () => {
  assemblyDir = DEFAULT_CLOUD_ASSEMBLY;
  await ensureSynthesized();
  emulators = await startEmulators();
  stack = loadStack(assemblyDir);
  topology = await provision(assemblyDir, emulators.endpoints);
  const client = (endpoint: string) => ({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  dynamodb = new DynamoDBClient(client(emulators.endpoints.dynamodb));
  sns = new SNSClient(client(emulators.endpoints.snsSqs));
  sqs = new SQSClient(client(emulators.endpoints.snsSqs));
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  dynamodb?.destroy();
  sns?.destroy();
  sqs?.destroy();
  await stopEmulators(emulators);
}, EMULATOR_TIMEOUT_MS);

describe('tables', () => {
  it('creates every table of the template, with its keys, its TTL, and a stream where the template has one', async () => {
    const templateTables = resourcesOfType(stack.template, 'AWS::DynamoDB::Table');
    expect(templateTables.length).toBeGreaterThan(0);
    expect(topology.tables.map((t) => t.logicalId)).toEqual(templateTables.map((t) => t.logicalId));
    for (const resource of templateTables) {
      const local = topology.tables.find((t) => t.logicalId === resource.logicalId);
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: local?.tableName }));
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.KeySchema).toEqual(resource.properties['KeySchema']);
      expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      const streamViewType = (resource.properties['StreamSpecification'] as { StreamViewType?: string } | undefined)?.StreamViewType;
      if (streamViewType === undefined) {
        expect(Table?.StreamSpecification?.StreamEnabled ?? false).toBe(false);
        expect(local?.streamArn).toBeUndefined();
      } else {
        expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: streamViewType });
        expect(local?.streamArn).toBe(Table?.LatestStreamArn);
      }
      const ttl = resource.properties['TimeToLiveSpecification'] as { AttributeName: string } | undefined;
      const { TimeToLiveDescription } = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: local?.tableName }));
      expect(TimeToLiveDescription?.AttributeName).toBe(ttl?.AttributeName);
    }
  });
});

describe('topics and queues', () => {
  it('creates every topic of the template', async () => {
    const templateTopics = resourcesOfType(stack.template, 'AWS::SNS::Topic');
    expect(templateTopics.length).toBeGreaterThan(0);
    expect(topology.topics.map((t) => t.logicalId)).toEqual(templateTopics.map((t) => t.logicalId));
    for (const topic of topology.topics) {
      const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: topic.arn }));
      const resource = stack.template.resources.get(topic.logicalId);
      expect(Attributes?.['TopicArn']).toBe(topic.arn);
      expect(Attributes?.['DisplayName']).toBe(resource?.properties['DisplayName']);
    }
  });

  it('creates every queue of the template, with its timeouts and its redrive policy to its own dead-letter queue', async () => {
    const templateQueues = resourcesOfType(stack.template, 'AWS::SQS::Queue');
    expect(templateQueues.length).toBeGreaterThan(0);
    expect(topology.queues.map((q) => q.logicalId)).toEqual(templateQueues.map((q) => q.logicalId));
    let redriven = 0;
    for (const resource of templateQueues) {
      const local = topology.queues.find((q) => q.logicalId === resource.logicalId);
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: local?.queueUrl, AttributeNames: ['All'] }));
      expect(Attributes?.['QueueArn']).toBe(local?.arn);
      expect(Attributes?.['MessageRetentionPeriod']).toBe(String(resource.properties['MessageRetentionPeriod']));
      if (resource.properties['VisibilityTimeout'] !== undefined) {
        expect(Attributes?.['VisibilityTimeout']).toBe(String(resource.properties['VisibilityTimeout']));
      }
      const redrive = resource.properties['RedrivePolicy'] as { deadLetterTargetArn: { 'Fn::GetAtt': [string, string] } } | undefined;
      if (redrive === undefined) {
        expect(Attributes?.['RedrivePolicy']).toBeUndefined();
        continue;
      }
      redriven += 1;
      const deadLetterQueue = topology.queues.find((q) => q.logicalId === redrive.deadLetterTargetArn['Fn::GetAtt'][0]);
      expect(deadLetterQueue).toBeDefined();
      expect(JSON.parse(Attributes?.['RedrivePolicy'] ?? '{}')).toEqual({ deadLetterTargetArn: deadLetterQueue?.arn, maxReceiveCount: MAX_RECEIVE_COUNT });
      expect(local?.redrive).toEqual({ deadLetterTargetArn: deadLetterQueue?.arn, maxReceiveCount: MAX_RECEIVE_COUNT });
    }
    expect(redriven).toBe(resourcesOfType(stack.template, 'AWS::SNS::Subscription').length);
  });

  it('delivers a message published to each topic to exactly the queues subscribed to it, raw, and filters out other event types', async () => {
    expect(topology.subscriptions).toHaveLength(resourcesOfType(stack.template, 'AWS::SNS::Subscription').length);
    const nonce = randomUUID();
    const expected = new Map<string, string[]>(topology.queues.map((q) => [q.arn, []]));
    for (const topic of topology.topics) {
      const subscriptions = topology.subscriptions.filter((s) => s.topicArn === topic.arn);
      const matching = JSON.stringify({ topic: topic.logicalId, nonce, matching: true });
      const other = JSON.stringify({ topic: topic.logicalId, nonce, matching: false });
      await sns.send(new PublishCommand({ TopicArn: topic.arn, Message: matching, MessageAttributes: attributesMatching(subscriptions.map((s) => s.filterPolicy)) }));
      await sns.send(new PublishCommand({ TopicArn: topic.arn, Message: other, MessageAttributes: { type: { DataType: 'String', StringValue: 'no.such-event' } } }));
      for (const subscription of subscriptions) {
        expect(subscription.rawMessageDelivery).toBe(true);
        expected.get(subscription.queueArn)?.push(matching);
        if (subscription.filterPolicy === undefined) expected.get(subscription.queueArn)?.push(other);
      }
    }

    const received = new Map<string, string[]>(topology.queues.map((q) => [q.arn, []]));
    const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
    const missing = (): string[] => [...expected].filter(([arn, bodies]) => bodies.some((body) => !received.get(arn)?.includes(body))).map(([arn]) => arn);
    for (;;) {
      await drainAll(received, nonce);
      if (missing().length === 0 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(missing()).toEqual([]);
    await drainAll(received, nonce); // anything late or unexpected would show here
    for (const [arn, bodies] of expected) expect({ queue: arn, bodies: [...(received.get(arn) ?? [])].sort() }).toEqual({ queue: arn, bodies: [...bodies].sort() });
  });
});

describe('functions', () => {
  it('runs the bundle cdk synth wrote for each function, with the template environment resolved to local names and the emulators', async () => {
    const templateFunctions = resourcesOfType(stack.template, 'AWS::Lambda::Function');
    expect(topology.functions.map((f) => f.logicalId)).toEqual(templateFunctions.map((f) => f.logicalId));
    const { TableNames = [] } = await dynamodb.send(new ListTablesCommand({}));
    const topicArns = topology.topics.map((t) => t.arn);
    for (const fn of topology.functions) {
      expect(path.isAbsolute(fn.codeDir)).toBe(true);
      expect(fn.codeDir.startsWith(assemblyDir)).toBe(true);
      expect(existsSync(path.join(fn.codeDir, 'index.js'))).toBe(true);
      expect(fn.handler).toBe('index.handler');
      const templateVariables = Object.keys(
        ((stack.template.resources.get(fn.logicalId)?.properties['Environment'] as { Variables?: object }) ?? {}).Variables ?? {},
      );
      expect(Object.keys(fn.environment)).toEqual(expect.arrayContaining(templateVariables));
      for (const [name, value] of Object.entries(fn.environment)) {
        expect({ name, value }).toEqual({ name, value: expect.any(String) });
        expect({ name, value }).not.toEqual({ name, value: expect.stringMatching(/\[object Object\]|"Ref"|Fn::|\$\{/) });
      }
      expect(fn.environment).toMatchObject({
        AWS_ENDPOINT_URL_DYNAMODB: emulators.endpoints.dynamodb,
        AWS_ENDPOINT_URL_SNS: emulators.endpoints.snsSqs,
        AWS_ENDPOINT_URL_SQS: emulators.endpoints.snsSqs,
        AWS_REGION: LOCAL_REGION,
        AWS_DEFAULT_REGION: LOCAL_REGION,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_LAMBDA_FUNCTION_NAME: fn.name,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      });
      for (const variable of ['TABLE_NAME', 'EVENT_LOG_TABLE_NAME']) {
        if (fn.environment[variable] !== undefined) expect(TableNames).toContain(fn.environment[variable]);
      }
      if (fn.environment['TOPIC_ARNS'] !== undefined) {
        const arns = Object.values(JSON.parse(fn.environment['TOPIC_ARNS']) as Record<string, string>);
        expect(arns.length).toBeGreaterThan(0);
        for (const arn of arns) expect(topicArns).toContain(arn);
      }
    }
    expect(topology.functions.filter((f) => f.environment['TABLE_NAME'] !== undefined).length).toBeGreaterThan(0);
    expect(topology.functions.filter((f) => f.environment['TOPIC_ARNS'] !== undefined).length).toBeGreaterThan(0);
  });
});

describe('event source mappings', () => {
  it('feeds each outbox dispatcher from its table stream: outbox inserts only, bisect on error, bounded retries and age, failures to a queue', async () => {
    const streamTables = topology.tables.filter((t) => t.streamArn !== undefined);
    expect(topology.streamMappings.map((m) => m.tableName).sort()).toEqual(streamTables.map((t) => t.tableName).sort());
    for (const mapping of topology.streamMappings) {
      expect(mapping).toMatchObject({
        streamArn: streamTables.find((t) => t.tableName === mapping.tableName)?.streamArn,
        startingPosition: 'TRIM_HORIZON',
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: STREAM_RETRY_ATTEMPTS,
        maximumRecordAgeSeconds: STREAM_MAX_RECORD_AGE.toSeconds(),
        reportBatchItemFailures: true,
        filterPatterns: [{ eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: [OUTBOX_KIND] } } } }],
      });
      expect(topology.functions.map((f) => f.logicalId)).toContain(mapping.functionLogicalId);
      const failureQueue = topology.queues.find((q) => q.queueUrl === mapping.onFailureQueueUrl);
      expect(failureQueue).toBeDefined();
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: mapping.onFailureQueueUrl, AttributeNames: ['QueueArn'] }));
      expect(Attributes?.['QueueArn']).toBe(failureQueue?.arn);
    }
  });

  it('feeds every subscribed queue to one function that reports partial batch failures', () => {
    const subscribedQueues = [...new Set(topology.subscriptions.map((s) => s.queueArn))].sort();
    expect(topology.sqsMappings.map((m) => m.queueArn).sort()).toEqual(subscribedQueues);
    for (const mapping of topology.sqsMappings) {
      expect(mapping).toMatchObject({ reportBatchItemFailures: true, batchSize: 10, maxBatchingWindowSeconds: 0, maxConcurrency: 1 });
      expect(topology.queues.find((q) => q.arn === mapping.queueArn)?.queueUrl).toBe(mapping.queueUrl);
      expect(topology.functions.map((f) => f.logicalId)).toContain(mapping.functionLogicalId);
    }
  });
});

describe('HTTP routes and outputs', () => {
  it('routes the four Order API requests to the API function', () => {
    expect(topology.routes.map(({ method, path: routePath }) => `${method} ${routePath}`).sort()).toEqual(ORDER_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    const [apiFunction, ...others] = new Set(topology.routes.map((r) => r.functionLogicalId));
    expect(others).toEqual([]);
    expect(topology.functions.find((f) => f.logicalId === apiFunction)?.environment['EVENT_LOG_TABLE_NAME']).toBeDefined();
  });

  it('resolves every output of the template to local names and ARNs', () => {
    expect(Object.keys(topology.outputs).sort()).toEqual([...stack.template.outputs.keys()].sort());
    expect(topology.outputs['OrdersTableName']).toBe(topology.tables.find((t) => t.logicalId === ref(stack.template.outputs.get('OrdersTableName')?.value))?.tableName);
    for (const [name, output] of stack.template.outputs) {
      const target = ref(output.value);
      const topic = topology.topics.find((t) => t.logicalId === target);
      if (topic) expect({ name, value: topology.outputs[name] }).toEqual({ name, value: topic.arn });
    }
    for (const value of Object.values(topology.outputs)) expect(value).not.toMatch(/\[object Object\]|"Ref"|Fn::/);
  });
});

describe('provisioning again', () => {
  it('provisions the same topology on another pair of fresh emulators', async () => {
    const fresh = await startEmulators();
    try {
      const again = await provision(assemblyDir, fresh.endpoints);
      const shape = (t: LocalTopology) => ({
        tables: t.tables.map((x) => x.tableName),
        topics: t.topics.map((x) => x.arn),
        queues: t.queues.map((x) => [x.queueName, x.arn, x.redrive]),
        subscriptions: t.subscriptions.map((x) => [x.topicArn, x.queueArn, x.filterPolicy]),
        functions: t.functions.map((x) => [x.name, x.codeDir, x.environment['TABLE_NAME'], x.environment['TOPIC_ARNS']]),
        routes: t.routes,
        outputs: t.outputs,
      });
      expect(shape(again)).toEqual(shape(topology));
      expect(again.functions[0]?.environment['AWS_ENDPOINT_URL_DYNAMODB']).toBe(fresh.endpoints.dynamodb);
    } finally {
      await stopEmulators(fresh);
    }
  }, EMULATOR_TIMEOUT_MS);

  it('gives every queue the visibility timeout asked for in place of the template’s (time compression for tests)', async () => {
    // given fresh emulators
    const fresh = await startEmulators();
    const freshSqs = new SQSClient({ endpoint: fresh.endpoints.snsSqs, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    try {
      // when
      const compressed = await provision(assemblyDir, fresh.endpoints, { visibilityTimeoutSeconds: 2 });
      // then
      const timeouts = await Promise.all(
        compressed.queues.map(async (q) => (await freshSqs.send(new GetQueueAttributesCommand({ QueueUrl: q.queueUrl, AttributeNames: ['VisibilityTimeout'] }))).Attributes?.['VisibilityTimeout']),
      );
      expect(compressed.queues.length).toBeGreaterThan(0);
      expect(new Set(timeouts)).toEqual(new Set(['2']));
    } finally {
      freshSqs.destroy();
      await stopEmulators(fresh);
    }
  }, EMULATOR_TIMEOUT_MS);

  it('provisions again on the same emulators without failing or changing any name', async () => {
    const again = await provision(assemblyDir, emulators.endpoints);
    expect(again.queues.map((q) => q.queueUrl)).toEqual(topology.queues.map((q) => q.queueUrl));
    expect(again.tables).toEqual(topology.tables);
    expect(again.subscriptions.map((s) => s.subscriptionArn)).toEqual(topology.subscriptions.map((s) => s.subscriptionArn));
  });
});

describe('templates the local cloud cannot wire', () => {
  it('fails with the logical id and the path of a reference to nothing', async () => {
    const broken = parseTemplate({
      Resources: {
        Dlq: { Type: 'AWS::SQS::Queue', Properties: {} },
        Work: { Type: 'AWS::SQS::Queue', Properties: { RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Dlc', 'Arn'] }, maxReceiveCount: 3 } } },
      },
    });
    const attempt = provisionStack({ ...stack, template: broken }, emulators.endpoints);
    await expect(attempt).rejects.toThrow(IntrinsicError);
    await expect(attempt).rejects.toThrow(
      'Dlc is neither a resource nor a parameter of the template, nor a pseudo parameter (at Resources.Work.Properties.RedrivePolicy.deadLetterTargetArn.Fn::GetAtt)',
    );
  });

  it('refuses a resource type it neither provisions nor knows to be irrelevant', async () => {
    const unknown = parseTemplate({ Resources: { Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'bus' } } } });
    await expect(provisionStack({ ...stack, template: unknown }, emulators.endpoints)).rejects.toThrow(/Bus \(AWS::Events::EventBus\)/);
  });
});

// ---------------------------------------------------------------------------------------------

async function startEmulators(): Promise<Emulators> {
  const [dynamo, fauxqs] = await Promise.all([startDynamoDbLocal(), startFauxqs()]);
  return { dynamo, fauxqs, endpoints: { dynamodb: dynamo.endpoint, snsSqs: fauxqs.endpoint, region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID } };
}

async function stopEmulators(running: Emulators | undefined): Promise<void> {
  await Promise.all([running?.dynamo.stop(), running?.fauxqs.stop()]);
}

/** Message attributes that every filter policy given (of the `{ key: ["value", ...] }` kind) lets through. */
function attributesMatching(policies: readonly unknown[]): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const policy of policies) {
    for (const [key, allowed] of Object.entries((policy ?? {}) as Record<string, unknown>)) {
      const first = Array.isArray(allowed) ? allowed[0] : undefined;
      if (typeof first !== 'string') throw new Error(`This test builds attributes for string allowlists only, not ${JSON.stringify(policy)}`);
      const existing = attributes[key]?.StringValue;
      if (existing !== undefined && !(allowed as unknown[]).includes(existing)) throw new Error(`The subscriptions of one topic want different ${key} values`);
      attributes[key] = { DataType: 'String', StringValue: existing ?? first };
    }
  }
  return attributes;
}

/** Receives (and deletes) what waits in every queue, keeping the bodies of this run's messages. */
async function drainAll(received: Map<string, string[]>, nonce: string): Promise<void> {
  await Promise.all(
    topology.queues.map(async (queue) => {
      for (;;) {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        if (Messages.length === 0) return;
        for (const message of Messages) if (message.Body?.includes(nonce)) received.get(queue.arn)?.push(message.Body);
        await sqs.send(
          new DeleteMessageBatchCommand({ QueueUrl: queue.queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }),
        );
      }
    }),
  );
}

/** The logical id of a `{ Ref }` value. */
function ref(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null && 'Ref' in value ? String((value as { Ref: unknown }).Ref) : undefined;
}
