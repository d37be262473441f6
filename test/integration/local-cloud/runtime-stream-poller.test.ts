/**
 * The DynamoDB Streams poller against DynamoDB Local (and fauxqs for the on-failure queue),
 * invoking a test bundle through the function host: records in order and in Lambda's shape,
 * filter patterns, bisection of a failing batch, bounded retries with a failure description,
 * and partial batch responses.
 */
import * as path from 'node:path';
import { CreateTableCommand, DeleteItemCommand, DynamoDBClient, PutItemCommand, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { LOCAL_REGION, localClientConfig } from '../../../local/emulators/credentials';
import { startDynamoDbLocal, type RunningDynamoDbLocal } from '../../../local/emulators/dynamodb-local';
import { startFauxqs, type RunningFauxqs } from '../../../local/emulators/fauxqs';
import type { LocalEndpoints, LocalFunction, StreamMapping } from '../../../local/cloud/model';
import { FunctionHost } from '../../../local/cloud/runtime/function-host';
import { StreamPoller, type StreamFailureRecord, type StreamPollerOptions } from '../../../local/cloud/runtime/stream-poller';
import { eventually } from '../../support/waiting';

const STARTUP_TIMEOUT_MS = 60_000;
const RECORDER = path.join(__dirname, '..', '..', 'fixtures', 'functions', 'stream-recorder');
const SEEN_TABLE = 'runtime-seen';

let dynamo: RunningDynamoDbLocal;
let fauxqs: RunningFauxqs;
let ddb: DynamoDBClient;
let sqs: SQSClient;
let host: FunctionHost;
let endpoints: LocalEndpoints;
const pollers: StreamPoller[] = [];
let tables = 0;

function recorder(logicalId: string, mode: 'throw' | 'partial'): LocalFunction {
  return {
    logicalId,
    name: logicalId,
    arn: `arn:aws:lambda:${LOCAL_REGION}:000000000000:function:${logicalId}`,
    codeDir: RECORDER,
    handler: 'index.handler',
    environment: { SEEN_TABLE, MODE: mode },
    timeoutSeconds: 5,
    memoryMb: 256,
  };
}

beforeAll(async () => {
  [dynamo, fauxqs] = await Promise.all([startDynamoDbLocal(), startFauxqs()]);
  ddb = new DynamoDBClient(localClientConfig(dynamo.endpoint));
  sqs = new SQSClient(localClientConfig(fauxqs.endpoint));
  endpoints = { dynamodb: dynamo.endpoint, snsSqs: fauxqs.endpoint, region: LOCAL_REGION, accountId: '000000000000' };
  await ddb.send(
    new CreateTableCommand({
      TableName: SEEN_TABLE,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  host = new FunctionHost({ functions: [recorder('Recorder', 'throw'), recorder('PartialRecorder', 'partial')], endpoints, onLog: () => undefined });
  // The first cold start loads the AWS SDK: take it here, outside the tests' deadlines.
  await host.invoke('Recorder', { Records: [] });
  await host.invoke('PartialRecorder', { Records: [] });
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all(pollers.map((poller) => poller.close()));
  await host?.stop();
  ddb?.destroy();
  sqs?.destroy();
  await Promise.all([dynamo?.stop(), fauxqs?.stop()]);
}, STARTUP_TIMEOUT_MS);

/** A fresh table with a NEW_AND_OLD_IMAGES stream; returns its name and stream ARN. */
async function streamedTable(): Promise<{ tableName: string; streamArn: string }> {
  tables += 1;
  const tableName = `runtime-source-${tables}`;
  const { TableDescription } = await ddb.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  return { tableName, streamArn: TableDescription?.LatestStreamArn as string };
}

async function failureQueue(): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `runtime-stream-failures-${tables}` }));
  return QueueUrl as string;
}

async function put(tableName: string, key: string, attributes: { kind?: string; poison?: boolean } = {}): Promise<void> {
  await ddb.send(
    new PutItemCommand({
      TableName: tableName,
      Item: {
        pk: { S: key },
        kind: { S: attributes.kind ?? 'keep' },
        ...(attributes.poison ? { poison: { BOOL: true } } : {}),
      },
    }),
  );
}

interface Delivery {
  readonly keys: readonly string[];
  readonly records: readonly DynamoDBRecord[];
  outcome: 'pending' | 'success' | 'error';
  result?: unknown;
}

function startPoller(
  table: { tableName: string; streamArn: string },
  functionLogicalId: string,
  mapping: Partial<StreamMapping> = {},
  options: Partial<StreamPollerOptions> = {},
) {
  const deliveries: Delivery[] = [];
  const poller = new StreamPoller({
    mapping: {
      logicalId: `${functionLogicalId}StreamMapping`,
      functionLogicalId,
      tableName: table.tableName,
      streamArn: table.streamArn,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 10,
      bisectBatchOnFunctionError: false,
      maximumRetryAttempts: -1,
      maximumRecordAgeSeconds: -1,
      reportBatchItemFailures: false,
      filterPatterns: [],
      ...mapping,
    },
    invoke: async (id, event) => {
      const records = (event as DynamoDBStreamEvent).Records;
      const delivery: Delivery = { keys: records.map((record) => record.dynamodb?.Keys?.['pk']?.S ?? '?'), records, outcome: 'pending' };
      deliveries.push(delivery);
      try {
        delivery.result = await host.invoke(id, event);
        delivery.outcome = 'success';
        return delivery.result;
      } catch (error) {
        delivery.outcome = 'error';
        throw error;
      }
    },
    endpoints,
    functionArn: `arn:aws:lambda:${LOCAL_REGION}:000000000000:function:${functionLogicalId}`,
    retryDelayMs: 20,
    log: () => undefined,
    ...options,
  });
  pollers.push(poller);
  poller.start();
  return { poller, deliveries };
}

function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  return eventually(probe, { timeoutMs, intervalMs: 25, what });
}

/** Keys delivered in invocations that succeeded, in delivery order. */
const handledKeys = (deliveries: readonly Delivery[]) => deliveries.filter((d) => d.outcome === 'success').flatMap((d) => d.keys);

async function receiveFailure(queueUrl: string): Promise<StreamFailureRecord> {
  return until(async () => {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
    const body = Messages?.[0]?.Body;
    return body === undefined ? undefined : (JSON.parse(body) as StreamFailureRecord);
  }, 'a failure description in the on-failure queue');
}

const keys = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);

describe('delivery', () => {
  it("delivers every record in order, in batches of at most batchSize, in Lambda's DynamoDB stream event", async () => {
    const table = await streamedTable();
    const written = keys('order-', 12);
    for (const key of written) await put(table.tableName, key);
    await ddb.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: 'order-00' } },
        UpdateExpression: 'SET kind = :kind',
        ExpressionAttributeValues: { ':kind': { S: 'changed' } },
      }),
    );

    const { poller, deliveries } = startPoller(table, 'Recorder', { batchSize: 5 });
    await until(() => (handledKeys(deliveries).length >= 13 ? true : undefined), 'thirteen records handled');

    expect(handledKeys(deliveries)).toEqual([...written, 'order-00']);
    expect(deliveries.map((d) => d.keys.length)).toEqual([5, 5, 3]);
    const sequenceNumbers = deliveries.flatMap((d) => d.records.map((r) => BigInt(r.dynamodb?.SequenceNumber ?? '0')));
    expect([...sequenceNumbers].sort((a, b) => (a < b ? -1 : 1))).toEqual(sequenceNumbers);

    const insert = deliveries[0]?.records[0];
    expect(insert).toEqual({
      eventID: expect.any(String),
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: LOCAL_REGION,
      eventSourceARN: table.streamArn,
      dynamodb: {
        ApproximateCreationDateTime: expect.any(Number),
        Keys: { pk: { S: 'order-00' } },
        NewImage: { pk: { S: 'order-00' }, kind: { S: 'keep' } },
        SequenceNumber: expect.stringMatching(/^\d+$/),
        SizeBytes: expect.any(Number),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    expect(Math.abs((insert?.dynamodb?.ApproximateCreationDateTime ?? 0) - Date.now() / 1000)).toBeLessThan(120);
    const modify = deliveries.at(-1)?.records.at(-1);
    expect(modify).toMatchObject({
      eventName: 'MODIFY',
      dynamodb: { OldImage: { kind: { S: 'keep' } }, NewImage: { kind: { S: 'changed' } } },
    });
    expect(poller.counters).toMatchObject({ batches: 3, records: 13, failures: 0, retries: 0 });

    // The bundle wrote what it handled through its own SDK client, configured only by its environment.
    const { Items } = await ddb.send(new ScanCommand({ TableName: SEEN_TABLE }));
    const recorded = new Set((Items ?? []).map((item) => item['key']?.S));
    for (const key of written) expect(recorded).toContain(key);
  });

  it('drops records that match no filter pattern, and goes on past them', async () => {
    const table = await streamedTable();
    const { poller, deliveries } = startPoller(table, 'Recorder', {
      filterPatterns: [{ eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: ['keep'] } } } }],
    });

    await put(table.tableName, 'keep-1');
    await put(table.tableName, 'other-1', { kind: 'other' });
    await put(table.tableName, 'keep-2');
    await ddb.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: 'keep-1' } },
        UpdateExpression: 'SET note = :note',
        ExpressionAttributeValues: { ':note': { S: 'a modification' } },
      }),
    );
    await ddb.send(new DeleteItemCommand({ TableName: table.tableName, Key: { pk: { S: 'keep-2' } } }));
    await until(() => (poller.counters.filtered >= 3 ? true : undefined), 'three records filtered out');
    await put(table.tableName, 'keep-3');
    await until(() => (handledKeys(deliveries).includes('keep-3') ? true : undefined), 'the record written after the filtered ones');

    expect(handledKeys(deliveries)).toEqual(['keep-1', 'keep-2', 'keep-3']);
    expect(deliveries.flatMap((d) => d.records.map((r) => r.eventName))).toEqual(['INSERT', 'INSERT', 'INSERT']);
    expect(poller.counters).toMatchObject({ filtered: 3, failures: 0 });
  });

  it('with startingPosition LATEST, delivers only what is written after the start', async () => {
    const table = await streamedTable();
    await put(table.tableName, 'written-before');

    const { poller, deliveries } = startPoller(table, 'Recorder', { startingPosition: 'LATEST' });
    await until(() => (poller.status().some((shard) => shard.reading) ? true : undefined), 'the shard being read');
    await put(table.tableName, 'written-after');
    await until(() => (handledKeys(deliveries).includes('written-after') ? true : undefined), 'the record written after the start');

    expect(handledKeys(deliveries)).toEqual(['written-after']);
  });
});

describe('failures', () => {
  it('bisects a failing batch until the poison record is alone, delivers the others, and reports the poison one', async () => {
    const table = await streamedTable();
    const onFailureQueueUrl = await failureQueue();
    const written = keys('item-', 8);
    for (const key of written) await put(table.tableName, key, { poison: key === 'item-05' });

    const { poller, deliveries } = startPoller(table, 'Recorder', {
      batchSize: 8,
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 5,
      onFailureQueueUrl,
    });
    const failure = await receiveFailure(onFailureQueueUrl);
    await until(() => (handledKeys(deliveries).includes('item-07') ? true : undefined), 'the records after the poison one');

    const poisonSequence = deliveries.flatMap((d) => d.records).find((r) => r.dynamodb?.Keys?.['pk']?.S === 'item-05')?.dynamodb?.SequenceNumber;
    expect(failure.DDBStreamBatchInfo).toMatchObject({ startSequenceNumber: poisonSequence, endSequenceNumber: poisonSequence, batchSize: 1 });
    expect(handledKeys(deliveries)).toEqual(written.filter((key) => key !== 'item-05'));
    // 8 fail → 0-3 pass, 4-7 fail → 4-5 fail → 4 passes, 5 fails alone until it has been in
    // 1 + 5 failed invocations → 6-7 pass.
    expect(deliveries.map((d) => d.keys)).toEqual([
      written,
      written.slice(0, 4),
      written.slice(4, 8),
      ['item-04', 'item-05'],
      ['item-04'],
      ['item-05'],
      ['item-05'],
      ['item-05'],
      ['item-06', 'item-07'],
    ]);
    expect(deliveries.filter((d) => d.keys.includes('item-05'))).toHaveLength(6);
    expect(poller.counters).toMatchObject({ dlqSends: 1, discarded: 1 });

    await put(table.tableName, 'item-later');
    await until(() => (handledKeys(deliveries).includes('item-later') ? true : undefined), 'a record written after the poison one');
  });

  it('after maximumRetryAttempts sends the batch to the on-failure queue, and later records still flow', async () => {
    const table = await streamedTable();
    const onFailureQueueUrl = await failureQueue();
    await put(table.tableName, 'a');
    await put(table.tableName, 'poison', { poison: true });
    await put(table.tableName, 'b');

    const { poller, deliveries } = startPoller(table, 'Recorder', { maximumRetryAttempts: 2, onFailureQueueUrl });
    const failure = await receiveFailure(onFailureQueueUrl);

    expect(deliveries.map((d) => [d.keys, d.outcome])).toEqual([
      [['a', 'poison', 'b'], 'error'],
      [['a', 'poison', 'b'], 'error'],
      [['a', 'poison', 'b'], 'error'],
    ]);
    const sequenceNumbers = deliveries[0]?.records.map((r) => r.dynamodb?.SequenceNumber);
    expect(failure).toEqual({
      requestContext: {
        requestId: expect.any(String),
        functionArn: `arn:aws:lambda:${LOCAL_REGION}:000000000000:function:Recorder`,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      DDBStreamBatchInfo: {
        shardId: expect.stringMatching(/^shardId-/),
        startSequenceNumber: sequenceNumbers?.[0],
        endSequenceNumber: sequenceNumbers?.[2],
        approximateArrivalOfFirstRecord: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        approximateArrivalOfLastRecord: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        batchSize: 3,
        streamArn: table.streamArn,
      },
    });

    await put(table.tableName, 'c');
    await until(() => (handledKeys(deliveries).includes('c') ? true : undefined), 'a record written after the failed batch');
    expect(handledKeys(deliveries)).toEqual(['c']);
    expect(poller.counters).toMatchObject({ batches: 4, failures: 9, retries: 6, dlqSends: 1, discarded: 3 });
  });

  it('with batchItemFailures, checkpoints before the first reported record and retries from it', async () => {
    const table = await streamedTable();
    const onFailureQueueUrl = await failureQueue();
    for (const key of ['a', 'b', 'poison', 'd']) await put(table.tableName, key, { poison: key === 'poison' });

    const { deliveries } = startPoller(table, 'PartialRecorder', { reportBatchItemFailures: true, maximumRetryAttempts: 1, onFailureQueueUrl });
    const failure = await receiveFailure(onFailureQueueUrl);

    expect(deliveries.map((d) => d.keys)).toEqual([
      ['a', 'b', 'poison', 'd'],
      ['poison', 'd'],
    ]);
    const [poison, d] = deliveries[1]?.records ?? [];
    expect(deliveries[0]?.result).toEqual({ batchItemFailures: [{ itemIdentifier: poison?.dynamodb?.SequenceNumber }] });
    expect(failure.DDBStreamBatchInfo).toMatchObject({
      startSequenceNumber: poison?.dynamodb?.SequenceNumber,
      endSequenceNumber: d?.dynamodb?.SequenceNumber,
      batchSize: 2,
    });
    expect(failure.requestContext).toMatchObject({ condition: 'RetryAttemptsExhausted', approximateInvokeCount: 2 });

    await put(table.tableName, 'e');
    await until(() => (deliveries.some((delivery) => delivery.keys.includes('e') && delivery.outcome === 'success') ? true : undefined), 'a record written after');
    expect(deliveries.at(-1)?.keys).toEqual(['e']);
  });

  it('sends a record older than maximumRecordAgeSeconds to the on-failure queue without invoking the function', async () => {
    const table = await streamedTable();
    const onFailureQueueUrl = await failureQueue();
    await put(table.tableName, 'stale');

    // The poller's clock runs three minutes ahead: the record is already older than Lambda's minimum limit.
    const threeMinutesAhead = () => Date.now() + 180_000;
    const { poller, deliveries } = startPoller(table, 'Recorder', { maximumRecordAgeSeconds: 60, onFailureQueueUrl }, { now: threeMinutesAhead });
    const failure = await receiveFailure(onFailureQueueUrl);

    expect(failure.requestContext).toMatchObject({ condition: 'RecordAgeExceeded', approximateInvokeCount: 0 });
    expect(failure.DDBStreamBatchInfo).toMatchObject({ batchSize: 1, streamArn: table.streamArn });
    expect(deliveries).toEqual([]);
    expect(poller.counters).toMatchObject({ batches: 0, dlqSends: 1, discarded: 1 });
  });
});

describe('stop and start', () => {
  it('stops promptly, and a new start resumes after the checkpoint', async () => {
    const table = await streamedTable();
    const { poller, deliveries } = startPoller(table, 'Recorder');
    await put(table.tableName, 'before-stop');
    await until(() => (handledKeys(deliveries).includes('before-stop') ? true : undefined), 'the first record');

    const started = Date.now();
    await poller.stop();
    expect(Date.now() - started).toBeLessThan(1_000);

    await put(table.tableName, 'while-stopped');
    poller.start();
    await until(() => (handledKeys(deliveries).includes('while-stopped') ? true : undefined), 'the record written while stopped');
    expect(handledKeys(deliveries)).toEqual(['before-stop', 'while-stopped']);
  });
});
