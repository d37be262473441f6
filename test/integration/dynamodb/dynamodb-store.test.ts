/**
 * The DynamoDB adapter of the AggregateStore port, against a mocked DynamoDB client: the exact
 * transactions a save sends (state, outbox and inbox items, all conditional), and how each way
 * a transaction can be cancelled becomes the port's answer.
 */
import {
  BatchGetItemCommand,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  ThrottlingException,
  TransactWriteItemsCommand,
  TransactionCanceledException,
  type AttributeValue,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { ConcurrencyError, ConflictError } from '../../../lambdas/shared/application/errors';
import { DEFAULT_CONCURRENCY_ATTEMPTS } from '../../../lambdas/shared/application/retry';
import { catalogue, type ContextName } from '../../../lambdas/shared/events/catalogue';
import {
  DynamoDbStore,
  LISTING_INDEX,
  MAX_TRANSACTION_ITEMS,
  TransactionTooLargeError,
} from '../../../lambdas/shared/infrastructure/dynamodb-store';
import { Order, type OrderState } from '../../../lambdas/order/domain/order';
import { StoredOrderRepository } from '../../../lambdas/order/infrastructure/stored-order-repository';
import { OrderService } from '../../../lambdas/order/application/order-service';
import { InventoryService } from '../../../lambdas/inventory/application/inventory-service';
import { StoredInventoryRepository } from '../../../lambdas/inventory/infrastructure/stored-inventory-repository';
import { StockItem } from '../../../lambdas/inventory/domain/stock';
import { ORDER_ID, PAYMENT_ID, anEvent, fixedClock, sequentialIds } from '../../support/factories';

const ddb = mockClient(DynamoDBClient);
const TABLE = 'orders-table';
/** 2026-01-01T12:00:00Z, the factories' fixed clock, in epoch seconds. */
const NOW_SECONDS = 1_767_268_800;

beforeEach(() => {
  ddb.reset();
});

function storeOf(source: ContextName = 'order') {
  const clock = fixedClock();
  const store = new DynamoDbStore({
    client: new DynamoDBClient({ region: 'eu-west-1' }),
    tableName: TABLE,
    source,
    clock,
    ids: sequentialIds('evt'),
  });
  return { store, clock };
}

const placedState: OrderState = {
  orderId: ORDER_ID,
  customerId: 'customer-1',
  lines: [{ sku: 'BOOK-DDD', quantity: 2, unitPrice: 4500 }],
  currency: 'EUR',
  total: 9000,
  status: 'PLACED',
  correlationId: 'corr-1',
  placedAt: '2026-01-01T11:00:00.000Z',
  updatedAt: '2026-01-01T11:00:00.000Z',
};

/** The GetItem answer for an order stored at `version`. */
function storedOrder(state: OrderState, version: number) {
  return { Item: marshall({ pk: `ORDER#${state.orderId}`, sk: 'STATE', kind: 'aggregate', version, state }, { removeUndefinedValues: true }) };
}

/** A cancelled transaction with one reason per item, `None` except at the given indexes. */
function cancelled(items: number, failures: Record<number, string>): TransactionCanceledException {
  return new TransactionCanceledException({
    message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
    $metadata: {},
    CancellationReasons: Array.from({ length: items }, (_, i) => ({ Code: failures[i] ?? 'None' })),
  });
}

function sentTransactions(): TransactWriteItem[][] {
  return ddb.commandCalls(TransactWriteItemsCommand).map((call) => call.args[0].input.TransactItems ?? []);
}

function onlyTransaction(): TransactWriteItem[] {
  const sent = sentTransactions();
  expect(sent).toHaveLength(1);
  return sent[0] ?? [];
}

const attr = (item: TransactWriteItem, name: string): AttributeValue | undefined => item.Put?.Item?.[name];

describe('DynamoDbStore.commit', () => {
  it('given a new order placed through the repository, when saved, then one transaction writes its state, its event and the inbox record, each only if new', async () => {
    const { store, clock } = storeOf();
    ddb.on(TransactWriteItemsCommand).resolves({});
    const order = Order.place({
      orderId: ORDER_ID,
      customerId: 'customer-1',
      lines: [{ sku: 'BOOK-DDD', quantity: 2, unitPrice: 4500 }],
      correlationId: 'corr-1',
      now: clock(),
    });

    const result = await new StoredOrderRepository(store).save(order, { correlationId: 'corr-1', causationId: 'cmd-1' });

    expect(result).toBe('saved');
    const placedEnvelope = {
      id: 'evt-1',
      type: 'order.placed',
      version: catalogue['order.placed'].version,
      source: 'order',
      occurredAt: '2026-01-01T12:00:00.000Z',
      aggregateId: ORDER_ID,
      correlationId: 'corr-1',
      causationId: 'cmd-1',
      data: { orderId: ORDER_ID, customerId: 'customer-1', lines: [{ sku: 'BOOK-DDD', quantity: 2, unitPrice: 4500 }], total: 9000, currency: 'EUR' },
    };
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 1);
    expect(ddb.commandCalls(TransactWriteItemsCommand)[0]?.args[0].input).toEqual({
      TransactItems: [
        {
          Put: {
            TableName: TABLE,
            Item: {
              pk: { S: 'ORDER#order-1' },
              sk: { S: 'STATE' },
              kind: { S: 'aggregate' },
              version: { N: '1' },
              state: {
                M: {
                  orderId: { S: ORDER_ID },
                  customerId: { S: 'customer-1' },
                  lines: { L: [{ M: { sku: { S: 'BOOK-DDD' }, quantity: { N: '2' }, unitPrice: { N: '4500' } } }] },
                  currency: { S: 'EUR' },
                  total: { N: '9000' },
                  status: { S: 'PLACED' },
                  correlationId: { S: 'corr-1' },
                  placedAt: { S: '2026-01-01T12:00:00.000Z' },
                  updatedAt: { S: '2026-01-01T12:00:00.000Z' },
                },
              },
              // listed under the day it was placed, newest last in sort order
              listingPk: { S: 'ORDERS#2026-01-01' },
              listingSk: { S: '2026-01-01T12:00:00.000Z#order-1' },
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName: TABLE,
            Item: {
              pk: { S: 'ORDER#order-1' },
              sk: { S: 'OUTBOX#0000000001#000' },
              kind: { S: 'outbox' },
              eventId: { S: 'evt-1' },
              eventType: { S: 'order.placed' },
              sequence: { N: '1' },
              index: { N: '0' },
              envelope: { S: JSON.stringify(placedEnvelope) },
              expiresAt: { N: String(NOW_SECONDS + 7 * 24 * 3600) },
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName: TABLE,
            Item: {
              pk: { S: 'INBOX#cmd-1' },
              sk: { S: 'INBOX' },
              kind: { S: 'inbox' },
              correlationId: { S: 'corr-1' },
              expiresAt: { N: String(NOW_SECONDS + 15 * 24 * 3600) },
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ],
    });
    expect(order.version).toBe(1);
    expect(order.pendingEvents).toEqual([]);
    expect(order.hasChanges).toBe(false);
  });

  it('given an order loaded at version 3, when paid and saved, then its state is written at version 4 only if still at version 3', async () => {
    const { store, clock } = storeOf();
    ddb.on(GetItemCommand).resolves(storedOrder(placedState, 3));
    ddb.on(TransactWriteItemsCommand).resolves({});
    const orders = new StoredOrderRepository(store);
    const order = (await orders.get(ORDER_ID))!;

    order.markAsPaid(PAYMENT_ID, clock());
    const result = await orders.save(order, { correlationId: 'corr-1', causationId: 'evt-approved' });

    expect(result).toBe('saved');
    const [state, outbox, inbox] = onlyTransaction();
    expect(state?.Put).toMatchObject({
      ConditionExpression: '#version = :expected',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':expected': { N: '3' } },
      // the listing keys are written again with every state (a Put replaces the whole item)
      Item: { pk: { S: 'ORDER#order-1' }, sk: { S: 'STATE' }, version: { N: '4' }, listingPk: { S: 'ORDERS#2026-01-01' } },
    });
    expect(state && attr(state, 'state')?.M?.status).toEqual({ S: 'PAID' });
    expect(state && attr(state, 'state')?.M?.paymentId).toEqual({ S: PAYMENT_ID });
    expect(outbox?.Put?.Item).toMatchObject({
      pk: { S: 'ORDER#order-1' },
      sk: { S: 'OUTBOX#0000000004#000' },
      eventType: { S: 'order.paid' },
      sequence: { N: '4' },
    });
    expect(inbox?.Put?.Item).toMatchObject({ pk: { S: 'INBOX#evt-approved' } });
    expect(order.version).toBe(4);
  });

  it('given another writer saved the order first, when the version condition fails, then the save is a ConcurrencyError and the order stays uncommitted', async () => {
    const { store, clock } = storeOf();
    ddb.on(GetItemCommand).resolves(storedOrder(placedState, 3));
    ddb.on(TransactWriteItemsCommand).rejects(cancelled(3, { 0: 'ConditionalCheckFailed' }));
    const orders = new StoredOrderRepository(store);
    const order = (await orders.get(ORDER_ID))!;
    order.markAsPaid(PAYMENT_ID, clock());

    const saving = orders.save(order, { correlationId: 'corr-1', causationId: 'evt-approved' });

    await expect(saving).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(saving).rejects.toMatchObject({ aggregateId: ORDER_ID, expectedVersion: 3 });
    expect(order.version).toBe(3);
    expect(order.pendingEvents).toHaveLength(1);
  });

  it('given the cause was already applied, when the inbox condition fails, then the save is a duplicate and the order is not marked committed', async () => {
    const { store, clock } = storeOf();
    ddb.on(TransactWriteItemsCommand).rejects(cancelled(3, { 2: 'ConditionalCheckFailed' }));
    const order = Order.place({ orderId: ORDER_ID, customerId: 'customer-1', lines: [{ sku: 'BOOK-DDD', quantity: 1, unitPrice: 100 }], correlationId: 'corr-1', now: clock() });

    const result = await new StoredOrderRepository(store).save(order, { correlationId: 'corr-1', causationId: 'cmd-1' });

    expect(result).toBe('duplicate');
    expect(order.version).toBe(0);
    expect(order.hasChanges).toBe(true);
    expect(order.pendingEvents).toHaveLength(1);
  });

  it('given both the inbox and the version conditions fail, when saved, then the duplicate wins (as in memory: a repeat is no race)', async () => {
    const { store, clock } = storeOf();
    ddb.on(GetItemCommand).resolves(storedOrder(placedState, 3));
    ddb.on(TransactWriteItemsCommand).rejects(cancelled(3, { 0: 'ConditionalCheckFailed', 2: 'ConditionalCheckFailed' }));
    const orders = new StoredOrderRepository(store);
    const order = (await orders.get(ORDER_ID))!;
    order.markAsPaid(PAYMENT_ID, clock());

    await expect(orders.save(order, { correlationId: 'corr-1', causationId: 'evt-approved' })).resolves.toBe('duplicate');
  });

  it.each([
    ['a ThrottlingException from DynamoDB', new ThrottlingException({ message: 'Rate exceeded', $metadata: {} })],
    ['a transaction cancelled by throttling', cancelled(3, { 0: 'ThrottlingError' })],
  ])('given %s, when saved, then the error propagates unchanged for the trigger to retry', async (_case, error) => {
    const { store, clock } = storeOf();
    ddb.on(TransactWriteItemsCommand).rejects(error);
    const order = Order.place({ orderId: ORDER_ID, customerId: 'customer-1', lines: [{ sku: 'BOOK-DDD', quantity: 1, unitPrice: 100 }], correlationId: 'corr-1', now: clock() });

    await expect(new StoredOrderRepository(store).save(order, { correlationId: 'corr-1', causationId: 'cmd-1' })).rejects.toBe(error);
    expect(order.version).toBe(0);
    expect(order.hasChanges).toBe(true);
  });

  it('given a transaction cancelled by a conflicting transaction on the order, when saved, then it is a lost race (ConcurrencyError)', async () => {
    const { store, clock } = storeOf();
    ddb.on(TransactWriteItemsCommand).rejects(cancelled(3, { 0: 'TransactionConflict' }));
    const order = Order.place({ orderId: ORDER_ID, customerId: 'customer-1', lines: [{ sku: 'BOOK-DDD', quantity: 1, unitPrice: 100 }], correlationId: 'corr-1', now: clock() });

    await expect(new StoredOrderRepository(store).save(order, { correlationId: 'corr-1', causationId: 'cmd-1' })).rejects.toBeInstanceOf(ConcurrencyError);
    expect(order.version).toBe(0);
  });

  it('given a repeat that changes nothing, when saved, then nothing is sent to DynamoDB', async () => {
    const { store, clock } = storeOf();
    ddb.on(GetItemCommand).resolves(storedOrder({ ...placedState, status: 'PAID', paymentId: PAYMENT_ID }, 2));
    const orders = new StoredOrderRepository(store);
    const order = (await orders.get(ORDER_ID))!;

    order.markAsPaid(PAYMENT_ID, clock());
    const result = await orders.save(order, { correlationId: 'corr-1', causationId: 'evt-approved-again' });

    expect(result).toBe('unchanged');
    expect(ddb).not.toHaveReceivedCommand(TransactWriteItemsCommand);
  });
});

describe('DynamoDbStore under OrderService (optimistic concurrency, retried from a fresh load)', () => {
  function service() {
    const { store, clock } = storeOf();
    return new OrderService({ orders: new StoredOrderRepository(store), clock, ids: sequentialIds('id') });
  }

  it('given a lost race on the first attempt, when the customer cancels, then the service reloads and the second attempt saves against the new version', async () => {
    ddb
      .on(GetItemCommand)
      .resolvesOnce(storedOrder(placedState, 1))
      .resolvesOnce(storedOrder({ ...placedState, status: 'PAID', paymentId: PAYMENT_ID }, 2));
    ddb.on(TransactWriteItemsCommand).rejectsOnce(cancelled(3, { 0: 'ConditionalCheckFailed' })).resolves({});

    const order = await service().cancelOrder(ORDER_ID, 'cmd-cancel');

    expect(order.status).toBe('CANCELLED');
    const [first, second] = sentTransactions();
    expect(first?.[0]?.Put?.ExpressionAttributeValues).toEqual({ ':expected': { N: '1' } });
    expect(second?.[0]?.Put?.ExpressionAttributeValues).toEqual({ ':expected': { N: '2' } });
    const cancelledEvent = JSON.parse(second?.[1]?.Put?.Item?.envelope?.S ?? '{}');
    expect(cancelledEvent).toMatchObject({ type: 'order.cancelled', causationId: 'cmd-cancel', data: { reason: 'CUSTOMER_REQUEST', paymentId: PAYMENT_ID } });
    expect(ddb).toHaveReceivedCommandTimes(GetItemCommand, 2);
  });

  it('given every attempt loses its race, when the customer cancels, then the service gives up with a ConflictError after the bounded attempts', async () => {
    ddb.on(GetItemCommand).resolves(storedOrder(placedState, 1));
    ddb.on(TransactWriteItemsCommand).rejects(cancelled(3, { 0: 'ConditionalCheckFailed' }));

    const cancelling = service().cancelOrder(ORDER_ID, 'cmd-cancel');

    await expect(cancelling).rejects.toBeInstanceOf(ConflictError);
    await expect(cancelling).rejects.toMatchObject({ aggregateId: ORDER_ID, attempts: DEFAULT_CONCURRENCY_ATTEMPTS });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, DEFAULT_CONCURRENCY_ATTEMPTS);
    expect(ddb).toHaveReceivedCommandTimes(GetItemCommand, DEFAULT_CONCURRENCY_ATTEMPTS);
  });
});

describe('DynamoDbStore with several aggregates (Inventory)', () => {
  const stockItem = (sku: string, available: number, version: number) => ({
    Item: marshall({ pk: `STOCK#${sku}`, sk: 'STATE', kind: 'aggregate', version, state: { sku, available } }),
  });
  const keyOf = (pk: string) => ({ Key: { pk: { S: pk }, sk: { S: 'STATE' } } });

  it('given order.paid for two SKUs in stock, when Inventory reserves, then the reservation, both stock items and the event are ONE transaction', async () => {
    const { store, clock } = storeOf('inventory');
    // No reservation yet; both stock items, read in the same batch.
    ddb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [stockItem('BOOK-DDD', 10, 1).Item, stockItem('MUG-EVENTS', 5, 3).Item] } });
    ddb.on(TransactWriteItemsCommand).resolves({});
    const paid = anEvent('order.paid', {
      lines: [
        { sku: 'BOOK-DDD', quantity: 2, unitPrice: 4500 },
        { sku: 'MUG-EVENTS', quantity: 1, unitPrice: 1200 },
      ],
    });
    const inventory = new InventoryService({ inventory: new StoredInventoryRepository(store), clock, ids: sequentialIds('res') });

    await inventory.reserveOnOrderPaid(paid);

    expect(ddb).toHaveReceivedCommandTimes(BatchGetItemCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(BatchGetItemCommand, {
      RequestItems: { [TABLE]: { ConsistentRead: true, Keys: ['RESERVATION#order-1', 'STOCK#BOOK-DDD', 'STOCK#MUG-EVENTS'].map((pk) => keyOf(pk).Key) } },
    });
    expect(ddb).not.toHaveReceivedCommand(GetItemCommand);
    const items = onlyTransaction();
    expect(
      items.map((i) => [attr(i, 'pk')?.S, attr(i, 'sk')?.S, i.Put?.ConditionExpression, i.Put?.ExpressionAttributeValues?.[':expected']?.N]),
    ).toEqual([
      ['RESERVATION#order-1', 'STATE', 'attribute_not_exists(pk)', undefined],
      ['STOCK#BOOK-DDD', 'STATE', '#version = :expected', '1'],
      ['STOCK#MUG-EVENTS', 'STATE', '#version = :expected', '3'],
      ['RESERVATION#order-1', 'OUTBOX#0000000001#000', 'attribute_not_exists(pk)', undefined],
      [`INBOX#${paid.id}`, 'INBOX', 'attribute_not_exists(pk)', undefined],
    ]);
    expect(items.map((i) => attr(i, 'state')?.M?.available)).toEqual([undefined, { N: '8' }, { N: '4' }, undefined, undefined]);
    expect(JSON.parse(attr(items[3]!, 'envelope')?.S ?? '{}')).toMatchObject({
      type: 'stock.reserved',
      source: 'inventory',
      causationId: paid.id,
      data: { orderId: ORDER_ID, reservationId: 'res-1' },
    });
  });

  it('given one stock item of a multi-aggregate save lost its race, when saved, then the ConcurrencyError names that item', async () => {
    const { store } = storeOf('inventory');
    ddb.on(TransactWriteItemsCommand).rejects(cancelled(4, { 2: 'ConditionalCheckFailed' }));
    const book = StockItem.restore({ sku: 'BOOK-DDD', available: 10 }, 1);
    const mug = StockItem.restore({ sku: 'MUG-EVENTS', available: 5 }, 3);
    const tee = StockItem.restore({ sku: 'TSHIRT-CQRS', available: 5 }, 7);
    [book, mug, tee].forEach((item) => item.take(1));

    const saving = new StoredInventoryRepository(store).save({ stock: [book, mug, tee] }, { correlationId: 'corr-1', causationId: 'evt-1' });

    await expect(saving).rejects.toMatchObject({ name: 'ConcurrencyError', aggregateId: 'TSHIRT-CQRS', expectedVersion: 7 });
  });

  it(`given a save of exactly ${MAX_TRANSACTION_ITEMS} items, when saved, then it is sent as one transaction`, async () => {
    const { store } = storeOf('inventory');
    ddb.on(TransactWriteItemsCommand).resolves({});
    const stock = Array.from({ length: MAX_TRANSACTION_ITEMS - 1 }, (_, i) => StockItem.receive(`SKU-${i}`, 1));

    await expect(new StoredInventoryRepository(store).save({ stock }, { correlationId: 'seed', causationId: 'seed-1' })).resolves.toBe('saved');

    expect(onlyTransaction()).toHaveLength(MAX_TRANSACTION_ITEMS);
  });

  it(`given a save of more than ${MAX_TRANSACTION_ITEMS} items, when saved, then it fails with a clear error and sends nothing`, async () => {
    const { store } = storeOf('inventory');
    const stock = Array.from({ length: MAX_TRANSACTION_ITEMS }, (_, i) => StockItem.receive(`SKU-${i}`, 1));

    const saving = new StoredInventoryRepository(store).save({ stock }, { correlationId: 'seed', causationId: 'seed-1' });

    await expect(saving).rejects.toBeInstanceOf(TransactionTooLargeError);
    await expect(saving).rejects.toThrow(`a save of ${MAX_TRANSACTION_ITEMS + 1} items exceeds DynamoDB's limit of ${MAX_TRANSACTION_ITEMS} items`);
    expect(ddb).not.toHaveReceivedAnyCommand();
    expect(stock.every((item) => item.version === 0 && item.hasChanges)).toBe(true);
  });
});

describe('DynamoDbStore.load', () => {
  it('given a stored order, when loaded, then it is read consistently and unmarshalled into its state and version', async () => {
    const { store } = storeOf();
    ddb.on(GetItemCommand).resolves(storedOrder({ ...placedState, status: 'PAID', paymentId: PAYMENT_ID }, 2));

    const order = await new StoredOrderRepository(store).get(ORDER_ID);

    expect(ddb).toHaveReceivedCommandWith(GetItemCommand, {
      TableName: TABLE,
      Key: { pk: { S: 'ORDER#order-1' }, sk: { S: 'STATE' } },
      ConsistentRead: true,
    });
    expect(order?.version).toBe(2);
    expect(order?.state).toEqual({ ...placedState, status: 'PAID', paymentId: PAYMENT_ID });
    expect(order?.hasChanges).toBe(false);
  });

  it('given no stored item, when loaded, then there is no record', async () => {
    const { store } = storeOf();
    ddb.on(GetItemCommand).resolves({});

    await expect(store.load('ORDER#unknown')).resolves.toBeUndefined();
  });

  it('given an item under the key that is not an aggregate state, when loaded, then it is an error rather than a guess', async () => {
    const { store } = storeOf();
    ddb.on(GetItemCommand).resolves({ Item: marshall({ pk: 'ORDER#order-1', sk: 'STATE', kind: 'something-else' }) });

    await expect(store.load('ORDER#order-1')).rejects.toThrow('not an aggregate item: ORDER#order-1 STATE');
  });
});

describe('DynamoDbStore.loadMany', () => {
  const stateItem = (pk: string, version: number) => marshall({ pk, sk: 'STATE', kind: 'aggregate', version, state: { id: pk } });
  const key = (pk: string) => ({ pk: { S: pk }, sk: { S: 'STATE' } });

  it('given keys, some stored, when loaded, then one consistent BatchGetItem answers the stored ones by key', async () => {
    const { store } = storeOf('inventory');
    ddb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [stateItem('STOCK#B', 4)] } });

    const records = await store.loadMany(['STOCK#A', 'STOCK#B', 'STOCK#A']);

    expect(ddb).toHaveReceivedCommandTimes(BatchGetItemCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(BatchGetItemCommand, { RequestItems: { [TABLE]: { Keys: [key('STOCK#A'), key('STOCK#B')], ConsistentRead: true } } });
    expect([...records]).toEqual([['STOCK#B', { state: { id: 'STOCK#B' }, version: 4 }]]);
  });

  it('given DynamoDB leaves keys unprocessed, when loaded, then it asks again for exactly those', async () => {
    const { store } = storeOf('inventory');
    ddb
      .on(BatchGetItemCommand)
      .resolvesOnce({ Responses: { [TABLE]: [stateItem('STOCK#A', 1)] }, UnprocessedKeys: { [TABLE]: { Keys: [key('STOCK#B')] } } })
      .resolvesOnce({ Responses: { [TABLE]: [stateItem('STOCK#B', 2)] } });

    const records = await store.loadMany(['STOCK#A', 'STOCK#B']);

    expect(ddb).toHaveReceivedNthSpecificCommandWith(2, BatchGetItemCommand, { RequestItems: { [TABLE]: { Keys: [key('STOCK#B')], ConsistentRead: true } } });
    expect([...records.keys()].sort()).toEqual(['STOCK#A', 'STOCK#B']);
  });

  it('given keys that stay unprocessed, when loaded, then it gives up after a bounded number of calls with a clear error', async () => {
    const { store } = storeOf('inventory');
    ddb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] }, UnprocessedKeys: { [TABLE]: { Keys: [key('STOCK#A')] } } });

    await expect(store.loadMany(['STOCK#A'])).rejects.toThrow('1 item(s) still unprocessed after 5 BatchGetItem calls');
    expect(ddb).toHaveReceivedCommandTimes(BatchGetItemCommand, 5);
  });

  it('given more than 100 keys, when loaded, then they are asked for in batches of 100', async () => {
    const { store } = storeOf('inventory');
    ddb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] } });

    await store.loadMany(Array.from({ length: 150 }, (_, i) => `STOCK#${i}`));

    expect(ddb).toHaveReceivedCommandTimes(BatchGetItemCommand, 2);
  });

  it('given an item that is not an aggregate state, when loaded, then it is an error rather than a guess', async () => {
    const { store } = storeOf('inventory');
    ddb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [marshall({ pk: 'STOCK#A', sk: 'STATE', kind: 'outbox' })] } });

    await expect(store.loadMany(['STOCK#A'])).rejects.toThrow('not an aggregate item: STOCK#A STATE');
  });
});

describe('DynamoDbStore.list', () => {
  /** A state item as the listing index projects it (every attribute). */
  const listed = (state: OrderState, version = 1) =>
    marshall(
      { pk: `ORDER#${state.orderId}`, sk: 'STATE', kind: 'aggregate', version, state, listingPk: 'ORDERS#2026-01-01', listingSk: `${state.placedAt}#${state.orderId}` },
      { removeUndefinedValues: true },
    );
  const newer = { ...placedState, orderId: 'order-2', placedAt: '2026-01-01T11:30:00.000Z' };

  it('given a partition, when listed, then it queries the listing index newest first, at most the limit, and answers the states', async () => {
    const { store } = storeOf();
    ddb.on(QueryCommand).resolves({ Items: [listed(newer), listed(placedState)] });

    const states = await store.list<OrderState>('ORDERS#2026-01-01', 5);

    expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 1);
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      IndexName: LISTING_INDEX.indexName,
      KeyConditionExpression: '#partition = :partition',
      ExpressionAttributeNames: { '#partition': 'listingPk' },
      ExpressionAttributeValues: { ':partition': { S: 'ORDERS#2026-01-01' } },
      ScanIndexForward: false,
      Limit: 5,
    });
    expect(states).toEqual([newer, placedState]);
  });

  it('given a partition answered in pages, when listed, then it reads on from where each page ended, asking only for what is still missing', async () => {
    const { store } = storeOf();
    const pageEnd = { pk: { S: 'ORDER#order-2' }, sk: { S: 'STATE' }, listingPk: { S: 'ORDERS#2026-01-01' }, listingSk: { S: 'x' } };
    ddb.on(QueryCommand).resolvesOnce({ Items: [listed(newer)], LastEvaluatedKey: pageEnd }).resolvesOnce({ Items: [listed(placedState)] });

    const states = await store.list<OrderState>('ORDERS#2026-01-01', 3);

    expect(states.map((s) => s.orderId)).toEqual(['order-2', ORDER_ID]);
    const inputs = ddb.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(inputs.map((i) => [i.Limit, i.ExclusiveStartKey])).toEqual([
      [3, undefined],
      [2, pageEnd],
    ]);
  });

  it('given the limit is reached on a page that says more follow, when listed, then it reads no further page', async () => {
    const { store } = storeOf();
    ddb.on(QueryCommand).resolves({ Items: [listed(newer)], LastEvaluatedKey: { pk: { S: 'more' } } });

    await expect(store.list<OrderState>('ORDERS#2026-01-01', 1)).resolves.toHaveLength(1);
    expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 1);
  });

  it('given an empty partition, when listed, then the answer is empty', async () => {
    const { store } = storeOf();
    ddb.on(QueryCommand).resolves({ Items: [] });

    await expect(store.list('ORDERS#2025-12-31', 20)).resolves.toEqual([]);
  });

  it('given an item in the index that is not an aggregate state, when listed, then it is an error rather than a guess', async () => {
    const { store } = storeOf();
    ddb.on(QueryCommand).resolves({ Items: [marshall({ pk: 'X', sk: 'Y', kind: 'outbox', listingPk: 'ORDERS#2026-01-01' })] });

    await expect(store.list('ORDERS#2026-01-01', 20)).rejects.toThrow('not an aggregate item in the listing: X Y');
  });
});
