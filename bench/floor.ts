/**
 * The floor of latency and throughput: the same emulators doing only the AWS calls an order's
 * five hops need (see minimumPerOrder in cost.ts), in a loop per order, with no Lambda host, no
 * stream reads and no pollers of ours. Each lane has its own topic and queue per event, so a
 * lane always receives its own order's message.
 *
 *   hop 1  TransactWriteItems(order, outbox, inbox) → Publish(order.placed)
 *   hop 2  ReceiveMessage → GetItem(payment) → TransactWriteItems(payment, outbox, inbox) → DeleteMessage → Publish(payment.approved)
 *   hop 3  ReceiveMessage → GetItem(order) → TransactWriteItems(order, outbox, inbox) → DeleteMessage → Publish(order.paid)
 *   hop 4  ReceiveMessage → BatchGetItem(reservation, stock) → TransactWriteItems(reservation, stock, outbox, inbox) → DeleteMessage → Publish(stock.reserved)
 *   hop 5  ReceiveMessage → GetItem(order) → TransactWriteItems(order, inbox) → DeleteMessage
 *
 * Like the stack, every event also reaches an event log queue: off the order's critical path, a
 * ReceiveMessage, a PutItem of the event and a DeleteMessage per event, as cost.ts counts them.
 *
 * Items have the shapes and sizes of the real ones and the same conditions (version guards,
 * new-item-only outbox and inbox), on a table with a stream, as the context tables have.
 */
import { randomUUID } from 'node:crypto';
import {
  BatchGetItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { EventType } from '../lambdas/shared/events/catalogue';
import { localClientConfig } from '../local/emulators/credentials';
import type { LocalEndpoints } from '../local/cloud/model';
import { ORDER_PATH } from './cost';
import { benchOrder } from './orders';
import { createContextTable } from '../local/emulators/context-table';

const TABLE = 'BenchFloorTable';
const NEW_ONLY = 'attribute_not_exists(pk)';
const TTL = () => Math.floor(Date.now() / 1000) + 7 * 24 * 3600;

interface Lane {
  readonly topics: Readonly<Record<string, string>>;
  readonly queues: Readonly<Record<string, string>>;
  /** The event log's queue of each event. */
  readonly logQueues: Readonly<Record<string, string>>;
  /** Stock versions of this lane's own stock items (lanes never contend, as one inventory consumer at a time does not). */
  readonly stock: Map<string, number>;
}

export interface Floor {
  /** Runs one order through the five hops on lane `lane`; resolves to its latency in ms. */
  run(lane: number, sequence: number): Promise<number>;
  /** Resolves once the event log has kept every event published so far. */
  settled(): Promise<void>;
  /** Events the event log failed to keep (none expected). */
  readonly logFailures: number;
  close(): void;
}

/** Each call's operation and duration, for a breakdown of where the floor's time goes. */
export type CallObserver = (operation: string, ms: number) => void;

export async function setUpFloor(endpoints: LocalEndpoints, lanes: number, onCall?: CallObserver): Promise<Floor> {
  const dynamodb = new DynamoDBClient(localClientConfig(endpoints.dynamodb));
  const sns = new SNSClient(localClientConfig(endpoints.snsSqs));
  const sqs = new SQSClient(localClientConfig(endpoints.snsSqs));
  if (onCall) {
    const timing = { step: 'initialize', name: 'benchFloorTiming' } as const;
    const timed =
      <A, R>(next: (args: A) => Promise<R>, context: { commandName?: string }) =>
      async (args: A): Promise<R> => {
        const started = performance.now();
        try {
          return await next(args);
        } finally {
          onCall(context.commandName ?? 'unknown', performance.now() - started);
        }
      };
    dynamodb.middlewareStack.add(timed, timing);
    sns.middlewareStack.add(timed, timing);
    sqs.middlewareStack.add(timed, timing);
  }

  await createContextTable(dynamodb, TABLE);
  for (let i = 0; i < 50; i += 1) {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: TABLE }));
    if (Table?.TableStatus === 'ACTIVE') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const subscribedQueue = async (name: string, topicArn: string, type: EventType): Promise<string> => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    if (!QueueUrl) throw new Error(`could not create the floor's queue ${name}`);
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: Attributes?.['QueueArn'],
        // As the stack's subscriptions: raw delivery, filtered on the event type.
        Attributes: { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ type: [type] }) },
      }),
    );
    return QueueUrl;
  };
  const laneSetups: Lane[] = [];
  for (let lane = 0; lane < lanes; lane += 1) {
    const topics: Record<string, string> = {};
    const queues: Record<string, string> = {};
    const logQueues: Record<string, string> = {};
    for (const type of ORDER_PATH) {
      const name = `bench-floor-${type.replace('.', '-')}-${lane}`;
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
      if (!TopicArn) throw new Error(`could not create the floor's topic ${name}`);
      topics[type] = TopicArn;
      queues[type] = await subscribedQueue(name, TopicArn, type);
      logQueues[type] = await subscribedQueue(`${name}-log`, TopicArn, type);
    }
    laneSetups.push({ topics, queues, logQueues, stock: new Map() });
  }

  const put = (item: Record<string, unknown>, condition?: { expression: string; version?: number }): TransactWriteItem => ({
    Put: {
      TableName: TABLE,
      Item: marshall(item, { removeUndefinedValues: true }),
      ...(condition
        ? {
            ConditionExpression: condition.expression,
            ...(condition.version === undefined
              ? {}
              : { ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': { N: String(condition.version) } } }),
          }
        : {}),
    },
  });
  const stateItem = (pk: string, version: number, state: object) => put({ pk, sk: 'STATE', kind: 'aggregate', version: version + 1, state }, version === 0 ? { expression: NEW_ONLY } : { expression: '#version = :expected', version });
  const outboxItem = (pk: string, sequence: number, event: Envelope) =>
    put(
      { pk, sk: `OUTBOX#${String(sequence).padStart(10, '0')}#000`, kind: 'outbox', eventId: event.id, eventType: event.type, sequence, index: 0, envelope: JSON.stringify(event), expiresAt: TTL() },
      { expression: NEW_ONLY },
    );
  const inboxItem = (causationId: string, correlationId: string) =>
    put({ pk: `INBOX#${causationId}`, sk: 'INBOX', kind: 'inbox', correlationId, expiresAt: TTL() + 8 * 24 * 3600 }, { expression: NEW_ONLY });
  const transact = (items: TransactWriteItem[]) => dynamodb.send(new TransactWriteItemsCommand({ TransactItems: items }));
  const read = (pk: string) => dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: marshall({ pk, sk: 'STATE' }), ConsistentRead: true }));
  const publish = (lane: Lane, event: Envelope) =>
    sns.send(
      new PublishCommand({
        TopicArn: lane.topics[event.type],
        Message: JSON.stringify(event),
        MessageAttributes: { type: { DataType: 'String', StringValue: event.type }, version: { DataType: 'Number', StringValue: '1' } },
      }),
    );
  const receiveFrom = async (queueUrl: string | undefined, type: EventType): Promise<{ handle: string; body: string }> => {
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 2, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] }),
      );
      const message = Messages?.[0];
      if (message?.ReceiptHandle) return { handle: message.ReceiptHandle, body: message.Body ?? '' };
    }
    throw new Error(`floor: no ${type} message arrived`);
  };
  const receive = async (lane: Lane, type: EventType) => (await receiveFrom(lane.queues[type], type)).handle;
  const done = (lane: Lane, type: EventType, handle: string) => sqs.send(new DeleteMessageCommand({ QueueUrl: lane.queues[type], ReceiptHandle: handle }));

  // The event log, off the critical path: one receive, one put and one delete per event.
  const logging = new Set<Promise<void>>();
  let logFailures = 0;
  const logEvent = (lane: Lane, event: Envelope) => {
    const task = (async () => {
      const { handle, body } = await receiveFrom(lane.logQueues[event.type], event.type);
      await dynamodb.send(
        new PutItemCommand({
          TableName: TABLE,
          Item: marshall({ pk: `THREAD#${event.correlationId}`, sk: `${event.occurredAt}#${event.id}`, eventId: event.id, eventType: event.type, envelope: body, expiresAt: TTL() }),
        }),
      );
      await sqs.send(new DeleteMessageCommand({ QueueUrl: lane.logQueues[event.type], ReceiptHandle: handle }));
    })()
      .catch(() => {
        logFailures += 1;
      })
      .finally(() => logging.delete(task));
    logging.add(task);
  };
  const publishAndLog = async (lane: Lane, event: Envelope) => {
    await publish(lane, event);
    logEvent(lane, event);
  };

  async function run(laneIndex: number, sequence: number): Promise<number> {
    const lane = laneSetups[laneIndex];
    if (!lane) throw new Error(`no floor lane ${laneIndex}`);
    const started = performance.now();
    const request = benchOrder(sequence, 'floor');
    const orderId = randomUUID();
    const correlationId = randomUUID();
    const orderKey = `ORDER#${orderId}`;
    const total = request.lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
    const now = () => new Date().toISOString();
    const order = { orderId, customerId: request.customerId, lines: request.lines, currency: 'EUR', total, status: 'PLACED', correlationId, placedAt: now(), updatedAt: now() };

    // hop 1: the API places the order; its dispatcher publishes order.placed
    const commandId = randomUUID();
    const placed = envelope('order.placed', 'order', orderId, correlationId, commandId, { orderId, customerId: order.customerId, lines: order.lines, total, currency: 'EUR' });
    await transact([stateItem(orderKey, 0, order), outboxItem(orderKey, 1, placed), inboxItem(commandId, correlationId)]);
    await publishAndLog(lane, placed);

    // hop 2: Payment charges
    let handle = await receive(lane, 'order.placed');
    const paymentKey = `PAYMENT#${orderId}`;
    await read(paymentKey);
    const paymentId = `pay-${randomUUID()}`;
    const approved = envelope('payment.approved', 'payment', orderId, correlationId, placed.id, { orderId, paymentId, amount: total, currency: 'EUR' });
    await transact([
      stateItem(paymentKey, 0, { orderId, paymentId, amount: total, currency: 'EUR', status: 'APPROVED', decidedAt: now() }),
      outboxItem(paymentKey, 1, approved),
      inboxItem(placed.id, correlationId),
    ]);
    await done(lane, 'order.placed', handle);
    await publishAndLog(lane, approved);

    // hop 3: Order marks it paid
    handle = await receive(lane, 'payment.approved');
    await read(orderKey);
    const paid = envelope('order.paid', 'order', orderId, correlationId, approved.id, { orderId, paymentId, lines: order.lines });
    await transact([stateItem(orderKey, 1, { ...order, status: 'PAID', paymentId, updatedAt: now() }), outboxItem(orderKey, 2, paid), inboxItem(approved.id, correlationId)]);
    await done(lane, 'payment.approved', handle);
    await publishAndLog(lane, paid);

    // hop 4: Inventory reserves
    handle = await receive(lane, 'order.paid');
    const reservationKey = `RESERVATION#${orderId}`;
    const stockKeys = order.lines.map((line) => `STOCK#${line.sku}#${laneIndex}`);
    await dynamodb.send(
      new BatchGetItemCommand({ RequestItems: { [TABLE]: { Keys: [reservationKey, ...stockKeys].map((pk) => marshall({ pk, sk: 'STATE' })), ConsistentRead: true } } }),
    );
    const reservationId = `res-${randomUUID()}`;
    const reserved = envelope('stock.reserved', 'inventory', orderId, correlationId, paid.id, { orderId, reservationId, lines: order.lines.map(({ sku, quantity }) => ({ sku, quantity })) });
    const stockWrites = order.lines.map((line, i) => {
      const key = stockKeys[i] as string;
      const version = lane.stock.get(key) ?? 0;
      lane.stock.set(key, version + 1);
      return stateItem(key, version, { sku: line.sku, onHand: 1_000_000, reserved: version + line.quantity });
    });
    await transact([
      stateItem(reservationKey, 0, { orderId, reservationId, status: 'RESERVED', lines: order.lines.map(({ sku, quantity }) => ({ sku, quantity })), updatedAt: now() }),
      ...stockWrites,
      outboxItem(reservationKey, 1, reserved),
      inboxItem(paid.id, correlationId),
    ]);
    await done(lane, 'order.paid', handle);
    await publishAndLog(lane, reserved);

    // hop 5: Order applies the reservation (publishes nothing)
    handle = await receive(lane, 'stock.reserved');
    await read(orderKey);
    await transact([stateItem(orderKey, 2, { ...order, status: 'STOCK_RESERVED', paymentId, updatedAt: now() }), inboxItem(reserved.id, correlationId)]);
    await done(lane, 'stock.reserved', handle);
    return performance.now() - started;
  }

  return {
    run,
    get logFailures() {
      return logFailures;
    },
    settled: async () => {
      while (logging.size > 0) await Promise.all([...logging]);
    },
    close: () => {
      dynamodb.destroy();
      sns.destroy();
      sqs.destroy();
    },
  };
}

interface Envelope {
  readonly id: string;
  readonly type: EventType;
  readonly version: number;
  readonly source: string;
  readonly occurredAt: string;
  readonly aggregateId: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly data: object;
}

function envelope(type: EventType, source: string, aggregateId: string, correlationId: string, causationId: string, data: object): Envelope {
  return { id: randomUUID(), type, version: 1, source, occurredAt: new Date().toISOString(), aggregateId, correlationId, causationId, data };
}
