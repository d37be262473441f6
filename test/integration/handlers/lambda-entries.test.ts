/**
 * Each Lambda entry file as Lambda loads it: configuration from the environment, clients built
 * at module scope, one trigger wired to one application service. SDK clients are mocked.
 */
import type * as DynamoDb from '@aws-sdk/client-dynamodb';
import type * as Sns from '@aws-sdk/client-sns';
import type * as ClientMock from 'aws-sdk-client-mock';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, DynamoDBBatchResponse, DynamoDBStreamEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { anEvent } from '../../support/factories';
import { anOutboxEntry, anOutboxInsert, anSqsEvent, anSqsRecordOf, aStreamEvent } from '../../support/lambda-events';
import { httpEvent } from '../../support/http-events';

const ENV = { ...process.env };

type Handler<E, R> = (event: E) => Promise<R>;

/**
 * Loads an entry file afresh, as a new Lambda container would, with `env` set. The SDK is
 * loaded afresh with it, so the mocks are made on the very classes the entry file uses.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- a fresh module registry per simulated container */
function load<E, R>(entry: string, env: Record<string, string>) {
  process.env = { ...ENV, LOG_LEVEL: 'silent', ...env };
  jest.resetModules();
  const dynamodb = require('@aws-sdk/client-dynamodb') as typeof DynamoDb;
  const snsSdk = require('@aws-sdk/client-sns') as typeof Sns;
  const { mockClient } = require('aws-sdk-client-mock') as typeof ClientMock;
  const mocks = { ddb: mockClient(dynamodb.DynamoDBClient), sns: mockClient(snsSdk.SNSClient) };
  const load = () => (require(`../../../lambdas/${entry}`) as { handler: Handler<E, R> }).handler;
  return { load, dynamodb, snsSdk, ...mocks };
}
/* eslint-enable @typescript-eslint/no-require-imports */

afterAll(() => {
  process.env = ENV;
});

describe('Lambda entry files', () => {
  it.each([
    ['order/handlers/confirm-payment.sqs', {}, 'TABLE_NAME'],
    ['order/handlers/order-api.http', { TABLE_NAME: 'orders' }, 'EVENT_LOG_TABLE_NAME'],
    ['payment/handlers/charge-payment.sqs', {}, 'TABLE_NAME'],
    ['inventory/handlers/reserve-stock.sqs', {}, 'TABLE_NAME'],
    ['shared/handlers/dispatch-events.stream', {}, 'TOPIC_ARNS'],
    ['shared/handlers/record-event.sqs', {}, 'EVENT_LOG_TABLE_NAME'],
  ])('%s refuses to start without its configuration, naming what is missing', (entry, env, missing) => {
    expect(load(entry, env).load).toThrow(`missing environment variable(s): ${missing}`);
  });

  it('charge-payment.sqs: order.placed from its queue → a payment decided in one transaction on the payments table', async () => {
    // given
    const { load: entry, ddb, dynamodb: { GetItemCommand, TransactWriteItemsCommand } } = load<SQSEvent, SQSBatchResponse>(
      'payment/handlers/charge-payment.sqs',
      { TABLE_NAME: 'payments' },
    );
    const handler = entry();
    ddb.on(GetItemCommand).resolves({});
    ddb.on(TransactWriteItemsCommand).resolves({});
    // when
    const response = await handler(anSqsEvent([anSqsRecordOf(anEvent('order.placed'))]));
    // then
    expect(response).toEqual({ batchItemFailures: [] });
    expect(ddb.commandCalls(GetItemCommand).map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({ TableName: 'payments', Key: { pk: { S: 'PAYMENT#order-1' }, sk: { S: 'STATE' } } }),
    ]);
    const write = ddb.commandCalls(TransactWriteItemsCommand)[0]?.args[0].input;
    expect(write?.TransactItems?.every((item) => item.Put?.TableName === 'payments')).toBe(true);
    expect(JSON.stringify(write)).toContain('payment.approved');
  });

  it('confirm-payment.sqs: an event of another type on its queue is a batch item failure, not a silent success', async () => {
    const { load: entry, ddb } = load<SQSEvent, SQSBatchResponse>('order/handlers/confirm-payment.sqs', { TABLE_NAME: 'orders' });
    const handler = entry();
    const record = anSqsRecordOf(anEvent('stock.reserved'));
    expect(await handler(anSqsEvent([record]))).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('dispatch-events.stream: outbox inserts → PublishBatch to the topic TOPIC_ARNS names', async () => {
    // given
    const topic = 'arn:aws:sns:us-east-1:000000000000:order-placed';
    const { load: entry, sns, snsSdk: { PublishBatchCommand } } = load<DynamoDBStreamEvent, DynamoDBBatchResponse>('shared/handlers/dispatch-events.stream', {
      TOPIC_ARNS: JSON.stringify({ 'order.placed': topic }),
    });
    const handler = entry();
    sns.on(PublishBatchCommand).resolves({ Successful: [{ Id: 'e0' }], Failed: [] });
    const event = anEvent('order.placed');
    // when
    const response = await handler(aStreamEvent([anOutboxInsert(anOutboxEntry(event))]));
    // then
    expect(response).toEqual({ batchItemFailures: [] });
    expect(sns.commandCalls(PublishBatchCommand).map((c) => c.args[0].input)).toEqual([
      { TopicArn: topic, PublishBatchRequestEntries: [expect.objectContaining({ Message: JSON.stringify(event) })] },
    ]);
  });

  it('dispatch-events.stream refuses a TOPIC_ARNS that names an event outside the catalogue', () => {
    expect(load('shared/handlers/dispatch-events.stream', { TOPIC_ARNS: '{"order.shipped":"arn"}' }).load).toThrow('order.shipped');
  });

  it('record-event.sqs: any catalogue event → one item in the event log table', async () => {
    const { load: entry, ddb, dynamodb: { PutItemCommand } } = load<SQSEvent, SQSBatchResponse>('shared/handlers/record-event.sqs', {
      EVENT_LOG_TABLE_NAME: 'event-log',
    });
    const handler = entry();
    ddb.on(PutItemCommand).resolves({});
    const response = await handler(anSqsEvent([anSqsRecordOf(anEvent('payment.refunded')), anSqsRecordOf(anEvent('stock.reserved'))]));
    expect(response).toEqual({ batchItemFailures: [] });
    const puts = ddb.commandCalls(PutItemCommand).map((c) => c.args[0].input);
    expect(puts).toHaveLength(2);
    expect(puts.every((put) => put.TableName === 'event-log')).toBe(true);
  });

  it('order-api.http: POST /orders writes the order and its outbox in one transaction; the timeline is read from the event log', async () => {
    // given
    const { load: entry, ddb, dynamodb: { TransactWriteItemsCommand, GetItemCommand, QueryCommand } } = load<
      APIGatewayProxyEventV2,
      APIGatewayProxyStructuredResultV2
    >('order/handlers/order-api.http', { TABLE_NAME: 'orders', EVENT_LOG_TABLE_NAME: 'event-log' });
    const handler = entry();
    ddb.on(TransactWriteItemsCommand).resolves({});
    // when
    const placed = await handler(httpEvent('POST', '/orders', { customerId: 'c', lines: [{ sku: 'BOOK-DDD', quantity: 1, unitPrice: 100 }] }));
    // then
    expect(placed.statusCode).toBe(201);
    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(1);
    const order = JSON.parse(placed.body ?? '{}') as { orderId: string; correlationId: string };
    // when the timeline is read
    ddb.on(GetItemCommand).resolves({ Item: marshall({ pk: `ORDER#${order.orderId}`, sk: 'STATE', kind: 'aggregate', version: 1, state: order }) });
    ddb.on(QueryCommand).resolves({ Items: [] });
    const timeline = await handler(httpEvent('GET', `/orders/${order.orderId}/events`));
    // then
    expect(timeline.statusCode).toBe(200);
    expect(ddb.commandCalls(QueryCommand).map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({ TableName: 'event-log', ExpressionAttributeValues: { ':thread': { S: `THREAD#${order.correlationId}` } } }),
    ]);
  });
});
