/**
 * The AWS adapters against the real emulators, no mocks: the DynamoDB outbox store on
 * DynamoDB Local (transactions, version conflicts, outbox items on the stream), the outbox
 * relayed by the stream dispatcher through the SNS bus to fauxqs, filter policies, and a
 * message that always fails reaching its dead-letter queue through the SQS poller.
 */
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { ConcurrencyError } from '../../../lambdas/shared/application/errors';
import { EventDispatcher } from '../../../lambdas/shared/event-bus/dispatcher';
import { SnsEventBus } from '../../../lambdas/shared/event-bus/sns-event-bus';
import { DynamoDbStore } from '../../../lambdas/shared/infrastructure/dynamodb-store';
import { createSqsConsumer, parseMessageBody } from '../../../lambdas/shared/infrastructure/sqs-consumer';
import { createStreamDispatcher } from '../../../lambdas/shared/infrastructure/stream-dispatcher';
import { OUTBOX_KIND } from '../../../lambdas/shared/infrastructure/outbox-item';
import { OrderService } from '../../../lambdas/order/application/order-service';
import { StoredOrderRepository } from '../../../lambdas/order/infrastructure/stored-order-repository';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, localClientConfig } from '../../../local/emulators/credentials';
import { createContextTable } from '../../../local/emulators/context-table';
import { startDynamoDbLocal, type RunningDynamoDbLocal } from '../../../local/emulators/dynamodb-local';
import { startFauxqs, type RunningFauxqs } from '../../../local/emulators/fauxqs';
import { SqsPoller } from '../../../local/cloud/runtime/sqs-poller';
import { anEvent } from '../../support/factories';
import { eventually } from '../../support/waiting';

let dynamo: RunningDynamoDbLocal;
let fauxqs: RunningFauxqs;
let ddb: DynamoDBClient;
let streams: DynamoDBStreamsClient;
let sns: SNSClient;
let sqs: SQSClient;
let tables = 0;

beforeAll(async () => {
  [dynamo, fauxqs] = await Promise.all([startDynamoDbLocal(), startFauxqs()]);
  ddb = new DynamoDBClient(localClientConfig(dynamo.endpoint));
  streams = new DynamoDBStreamsClient(localClientConfig(dynamo.endpoint));
  sns = new SNSClient(localClientConfig(fauxqs.endpoint));
  sqs = new SQSClient(localClientConfig(fauxqs.endpoint));
}, 60_000);

afterAll(async () => {
  for (const client of [ddb, streams, sns, sqs]) client?.destroy();
  await Promise.all([dynamo?.stop(), fauxqs?.stop()]);
});

/** A context table as CDK defines it (keys of the store, stream of new images). */
async function aContextTable(): Promise<{ name: string; streamArn: string }> {
  const name = `orders-${++tables}`;
  const { streamArn } = await createContextTable(ddb, name);
  return { name, streamArn: streamArn as string };
}

function orderService(tableName: string) {
  const store = new DynamoDbStore({ client: ddb, tableName, source: 'order' });
  return new OrderService({ orders: new StoredOrderRepository(store), clock: () => new Date(), ids: () => crypto.randomUUID() });
}

/** Every record on the table's stream so far, as Lambda would get them. */
async function streamRecords(streamArn: string): Promise<_Record[]> {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const records: _Record[] = [];
  for (const shard of StreamDescription?.Shards ?? []) {
    const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    const page = await streams.send(new GetRecordsCommand({ ShardIterator }));
    records.push(...(page.Records ?? []));
  }
  return records;
}

async function aQueue(name: string, attributes: Record<string, string> = {}): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl as string, arn: Attributes?.QueueArn as string };
}

async function receiveAll(url: string): Promise<string[]> {
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
  return (Messages ?? []).map((m) => m.Body as string);
}

describe('the DynamoDB outbox store on DynamoDB Local', () => {
  it('writes the order, its outbox item and its inbox item in one transaction, and the outbox insert appears on the stream', async () => {
    // given
    const table = await aContextTable();
    // when
    const order = await orderService(table.name).placeOrder({ customerId: 'alice', lines: [{ sku: 'BOOK-DDD', quantity: 1, unitPrice: 100 }] });
    // then
    const { Items } = await ddb.send(new ScanCommand({ TableName: table.name }));
    expect((Items ?? []).map((item) => unmarshall(item).kind).sort()).toEqual(['aggregate', 'inbox', 'outbox']);
    const records = await eventually(async () => {
      const found = (await streamRecords(table.streamArn)).filter((r) => r.dynamodb?.NewImage?.kind?.S === OUTBOX_KIND);
      return found.length > 0 ? found : undefined;
    }, { timeoutMs: 10_000, what: 'the outbox insert on the stream' });
    expect(records).toHaveLength(1);
    expect(records[0]?.eventName).toBe('INSERT');
    expect(JSON.parse(records[0]?.dynamodb?.NewImage?.envelope?.S ?? '{}')).toMatchObject({ type: 'order.placed', aggregateId: order.orderId });
  });

  it('refuses a stale write with a ConcurrencyError and writes nothing of it', async () => {
    // given: two copies of the same order, loaded at the same version
    const table = await aContextTable();
    const store = new DynamoDbStore({ client: ddb, tableName: table.name, source: 'order' });
    const repository = new StoredOrderRepository(store);
    const placed = await orderService(table.name).placeOrder({ customerId: 'bob', lines: [{ sku: 'BOOK-DDD', quantity: 1, unitPrice: 100 }] });
    const first = (await repository.get(placed.orderId))!;
    const second = (await repository.get(placed.orderId))!;
    first.markAsPaid('pay_1', new Date());
    second.cancel('CUSTOMER_REQUEST', new Date());
    // when
    await repository.save(first, { correlationId: 'c', causationId: 'payment-1' });
    const stale = repository.save(second, { correlationId: 'c', causationId: 'cancel-1' });
    // then
    await expect(stale).rejects.toBeInstanceOf(ConcurrencyError);
    const reloaded = (await repository.get(placed.orderId))!;
    expect(reloaded.state).toMatchObject({ status: 'PAID', paymentId: 'pay_1' });
    expect(reloaded.version).toBe(2);
    const { Items } = await ddb.send(new ScanCommand({ TableName: table.name }));
    expect((Items ?? []).filter((item) => unmarshall(item).kind === 'outbox')).toHaveLength(2);
  });

  it('answers duplicate to a cause already applied, and writes nothing', async () => {
    const table = await aContextTable();
    const service = orderService(table.name);
    const first = await service.placeOrder({ customerId: 'carol', lines: [{ sku: 'BOOK-DDD', quantity: 1, unitPrice: 100 }], commandId: 'request-7' });
    const again = await service.placeOrder({ customerId: 'carol', lines: [{ sku: 'BOOK-DDD', quantity: 1, unitPrice: 100 }], commandId: 'request-7' });
    expect(again.orderId).toBe(first.orderId);
    const { Items } = await ddb.send(new ScanCommand({ TableName: table.name }));
    expect(Items).toHaveLength(3);
  });
});

describe('the outbox relayed to SNS and SQS on fauxqs', () => {
  it('publishes what the stream carries to the event topic, raw, to the queues whose filter policy matches', async () => {
    // given: the order.placed topic, one queue for order.placed and one filtered to another type
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'order-placed-relay' }));
    const matching = await aQueue('payment-order-placed');
    const filteredOut = await aQueue('filtered-order-placed');
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: matching.arn, Attributes: { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ type: ['order.placed'] }) } }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: filteredOut.arn, Attributes: { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ type: ['order.paid'] }) } }));
    const table = await aContextTable();
    const order = await orderService(table.name).placeOrder({ customerId: 'dave', lines: [{ sku: 'BOOK-DDD', quantity: 2, unitPrice: 100 }] });
    const records = await eventually(async () => {
      const found = await streamRecords(table.streamArn);
      return found.length >= 3 ? found : undefined;
    }, { timeoutMs: 10_000, what: 'the transaction on the stream' });
    const dispatcher = createStreamDispatcher({
      dispatcher: new EventDispatcher(new SnsEventBus({ client: sns, topicArns: { 'order.placed': TopicArn as string } })),
    });
    // when
    const response = await dispatcher({ Records: records.map((r) => ({ ...r, eventSourceARN: table.streamArn })) } as unknown as DynamoDBStreamEvent);
    // then
    expect(response).toEqual({ batchItemFailures: [] });
    const bodies = await eventually(async () => {
      const received = await receiveAll(matching.url);
      return received.length > 0 ? received : undefined;
    }, { timeoutMs: 10_000, what: 'the event in the subscribed queue' });
    expect(bodies).toHaveLength(1);
    expect(parseMessageBody(bodies[0] as string)).toMatchObject({ type: 'order.placed', aggregateId: order.orderId, data: { total: 200 } });
    expect(await receiveAll(filteredOut.url)).toEqual([]);
  });

  it('moves a message that always fails to the dead-letter queue after maxReceiveCount, through the SQS poller', async () => {
    // given: a queue with a redrive policy, consumed by a handler that always fails
    const dlq = await aQueue('always-fails-dlq');
    const queue = await aQueue('always-fails', {
      VisibilityTimeout: '1',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    let attempts = 0;
    const consumer = createSqsConsumer({
      handlers: () => [
        async () => {
          attempts++;
          throw new Error('inventory database unavailable');
        },
      ],
    });
    const poller = new SqsPoller({
      mapping: { logicalId: 'AlwaysFails', functionLogicalId: 'Consumer', queueUrl: queue.url, queueArn: queue.arn, batchSize: 10, maxBatchingWindowSeconds: 0, reportBatchItemFailures: true, maxConcurrency: 1 },
      invoke: async (_fn, event) => consumer(event as Parameters<typeof consumer>[0]),
      endpoints: { dynamodb: dynamo.endpoint, snsSqs: fauxqs.endpoint, region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID },
      waitTimeSeconds: 1,
      log: () => undefined,
    });
    const event = anEvent('order.paid');
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: JSON.stringify(event) }));
    // when
    poller.start();
    try {
      // then
      const dead = await eventually(async () => {
        const received = await receiveAll(dlq.url);
        return received.length > 0 ? received : undefined;
      }, { timeoutMs: 20_000, what: 'the message in the dead-letter queue' });
      expect(parseMessageBody(dead[0] as string).id).toBe(event.id);
      expect(attempts).toBe(2);
    } finally {
      await poller.close();
    }
  }, 40_000);
});
