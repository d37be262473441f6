import 'aws-sdk-client-mock-jest';
import { mockClient } from 'aws-sdk-client-mock';
import { PublishBatchCommand, SNSClient, type PublishBatchCommandInput } from '@aws-sdk/client-sns';
import type { AnyEnvelope } from '../../../lambdas/shared/events/envelope';
import { EventDispatcher, type InternalHandlers } from '../../../lambdas/shared/event-bus/dispatcher';
import type { EventBus } from '../../../lambdas/shared/event-bus/event-bus';
import { SnsEventBus } from '../../../lambdas/shared/event-bus/sns-event-bus';
import { createStreamDispatcher } from '../../../lambdas/shared/infrastructure/stream-dispatcher';
import { Logger } from '../../../lambdas/shared/logger';
import { anEvent } from '../../support/factories';
import { anOutboxEntry, anOutboxInsert, aStreamEvent, aStreamRecord, sequenceNumberOf } from '../../support/lambda-events';

const TOPICS = {
  'order.placed': 'arn:aws:sns:eu-west-1:123456789012:order-placed',
  'order.paid': 'arn:aws:sns:eu-west-1:123456789012:order-paid',
  'order.cancelled': 'arn:aws:sns:eu-west-1:123456789012:order-cancelled',
} as const;

const sns = mockClient(SNSClient);

beforeEach(() => {
  sns.reset();
});

function acceptEveryEntry(input: PublishBatchCommandInput) {
  return {
    Successful: (input.PublishBatchRequestEntries ?? []).map((entry) => ({ Id: entry.Id, MessageId: `sns-${entry.Id}` })),
    Failed: [],
  };
}

/** SNS refuses the entries carrying these events and accepts the others. */
function refuse(...refused: AnyEnvelope[]) {
  const ids = new Set(refused.map((event) => event.id));
  return (input: PublishBatchCommandInput) => {
    const entries = input.PublishBatchRequestEntries ?? [];
    const isRefused = (message: string | undefined) => ids.has((JSON.parse(message ?? '{}') as AnyEnvelope).id);
    return {
      Successful: entries.filter((e) => !isRefused(e.Message)).map((e) => ({ Id: e.Id, MessageId: `sns-${e.Id}` })),
      Failed: entries.filter((e) => isRefused(e.Message)).map((e) => ({ Id: e.Id, Code: 'InternalError', Message: 'try again', SenderFault: false })),
    };
  };
}

/** Every event sent to SNS, in the order the calls went out. */
function published(): AnyEnvelope[] {
  return sns
    .commandCalls(PublishBatchCommand)
    .flatMap((call) => (call.args[0].input.PublishBatchRequestEntries ?? []).map((entry) => JSON.parse(entry.Message ?? '') as AnyEnvelope));
}

function setup(options: { internalHandlers?: InternalHandlers; bus?: EventBus } = {}) {
  const logs: Record<string, unknown>[] = [];
  const logger = new Logger('debug', {}, (line) => logs.push(JSON.parse(line) as Record<string, unknown>));
  const bus = options.bus ?? new SnsEventBus({ client: new SNSClient({ region: 'eu-west-1' }), topicArns: TOPICS });
  const handler = createStreamDispatcher({ dispatcher: new EventDispatcher(bus, options.internalHandlers), logger });
  return { handler, logs };
}

const placed = (orderId: string) => anEvent('order.placed', { orderId }, { aggregateId: orderId });
const cancelled = (orderId: string) => anEvent('order.cancelled', { orderId }, { aggregateId: orderId });

describe('stream dispatcher', () => {
  it('given outbox inserts, when the stream batch arrives, then their envelopes are published to their topics and no record fails', async () => {
    sns.on(PublishBatchCommand).callsFake(acceptEveryEntry);
    const { handler } = setup();
    const events = [placed('order-1'), placed('order-2')];

    const response = await handler(aStreamEvent(events.map((event) => anOutboxInsert(anOutboxEntry(event)))));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(sns).toHaveReceivedCommandWith(PublishBatchCommand, {
      TopicArn: TOPICS['order.placed'],
      PublishBatchRequestEntries: events.map((event, i) => ({
        Id: `e${i}`,
        Message: JSON.stringify(event),
        MessageAttributes: { type: { DataType: 'String', StringValue: 'order.placed' }, version: { DataType: 'Number', StringValue: '2' } },
      })),
    });
  });

  it('given SNS reports one entry as Failed, when the batch is dispatched, then only that record is reported', async () => {
    const events = [placed('order-1'), placed('order-2'), placed('order-3')];
    sns.on(PublishBatchCommand).callsFake(refuse(events[1] as AnyEnvelope));
    const { handler, logs } = setup();
    const records = events.map((event) => anOutboxInsert(anOutboxEntry(event)));

    const response = await handler(aStreamEvent(records));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: sequenceNumberOf(records[1]!) }]);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'error', eventId: events[1]?.id, eventType: 'order.placed', correlationId: 'corr-1', reason: 'InternalError: try again' }),
    );
  });

  it('given a PublishBatch call throttled, when the batch is dispatched, then every record of that call is reported and records of other calls are not', async () => {
    sns
      .on(PublishBatchCommand, { TopicArn: TOPICS['order.placed'] })
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .on(PublishBatchCommand, { TopicArn: TOPICS['order.cancelled'] })
      .callsFake(acceptEveryEntry);
    const { handler } = setup();
    const throttled = [placed('order-1'), placed('order-2')].map((event) => anOutboxInsert(anOutboxEntry(event)));
    const fine = anOutboxInsert(anOutboxEntry(cancelled('order-3')));

    const response = await handler(aStreamEvent([throttled[0]!, fine, throttled[1]!]));

    expect(response.batchItemFailures).toEqual(throttled.map((record) => ({ itemIdentifier: sequenceNumberOf(record) })));
  });

  it('given state writes and a TTL removal beside an outbox insert, when the batch arrives, then only the outbox event is published and nothing fails', async () => {
    sns.on(PublishBatchCommand).callsFake(acceptEveryEntry);
    const { handler } = setup();
    const event = placed('order-1');
    const outbox = anOutboxInsert(anOutboxEntry(event));
    const stateInsert = aStreamRecord('INSERT', {
      keys: { pk: 'ORDER#order-1', sk: 'STATE' },
      newImage: { pk: 'ORDER#order-1', sk: 'STATE', kind: 'order', version: 1, state: '{}' },
    });
    const stateUpdate = aStreamRecord('MODIFY', {
      keys: { pk: 'ORDER#order-1', sk: 'STATE' },
      newImage: { pk: 'ORDER#order-1', sk: 'STATE', kind: 'order', version: 2 },
      oldImage: { pk: 'ORDER#order-1', sk: 'STATE', kind: 'order', version: 1 },
    });
    // The TTL deleting an outbox item that was published long ago.
    const expired = aStreamRecord('REMOVE', { keys: outbox.dynamodb?.Keys ?? {}, oldImage: { kind: 'outbox', envelope: JSON.stringify(event) } });

    const response = await handler(aStreamEvent([stateInsert, outbox, stateUpdate, expired]));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(published()).toEqual([event]);
  });

  it('given the records of one aggregate arrive shuffled, when they are dispatched, then its events are published in sequence order', async () => {
    sns.on(PublishBatchCommand).callsFake(acceptEveryEntry);
    const { handler } = setup();
    const placedA = placed('order-a');
    const paidA = anEvent('order.paid', { orderId: 'order-a' }, { aggregateId: 'order-a' });
    const cancelledA = cancelled('order-a');
    const placedB = placed('order-b');
    const records = [
      anOutboxInsert(anOutboxEntry(cancelledA, 3, 0)),
      anOutboxInsert(anOutboxEntry(placedB, 1, 0)),
      anOutboxInsert(anOutboxEntry(paidA, 2, 0)),
      anOutboxInsert(anOutboxEntry(placedA, 1, 0)),
    ];

    const response = await handler(aStreamEvent(records));

    expect(response).toEqual({ batchItemFailures: [] });
    const orderA = published().filter((event) => event.aggregateId === 'order-a');
    expect(orderA.map((event) => event.type)).toEqual(['order.placed', 'order.paid', 'order.cancelled']);
    expect(published()).toContainEqual(placedB);
  });

  it('given the two events of one save arrive shuffled, when they are dispatched, then they are published in the order they were recorded', async () => {
    sns.on(PublishBatchCommand).callsFake(acceptEveryEntry);
    const { handler } = setup();
    const first = placed('order-a');
    const second = cancelled('order-a');

    await handler(aStreamEvent([anOutboxInsert(anOutboxEntry(second, 1, 1)), anOutboxInsert(anOutboxEntry(first, 1, 0))]));

    expect(published()).toEqual([first, second]);
  });

  it('given an event of an aggregate fails, when the batch is dispatched, then its later events are not published and their records are reported too', async () => {
    const first = placed('order-a');
    const second = cancelled('order-a');
    sns.on(PublishBatchCommand).callsFake(refuse(first));
    const { handler } = setup();
    const records = [anOutboxInsert(anOutboxEntry(first, 1, 0)), anOutboxInsert(anOutboxEntry(second, 2, 0))];

    const response = await handler(aStreamEvent(records));

    expect(response.batchItemFailures).toEqual(records.map((record) => ({ itemIdentifier: sequenceNumberOf(record) })));
    expect(published()).toEqual([first]);
  });

  it('given a corrupted outbox item, when the batch arrives, then its record is reported, the reason logged as an error, and the others published', async () => {
    sns.on(PublishBatchCommand).callsFake(acceptEveryEntry);
    const { handler, logs } = setup();
    const good = placed('order-1');
    const corrupted = aStreamRecord('INSERT', {
      keys: { pk: 'ORDER#order-2', sk: 'OUTBOX#0000000001#000' },
      newImage: { pk: 'ORDER#order-2', sk: 'OUTBOX#0000000001#000', kind: 'outbox', sequence: 1, index: 0, envelope: '{"id":' },
    });

    const response = await handler(aStreamEvent([corrupted, anOutboxInsert(anOutboxEntry(good))]));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: sequenceNumberOf(corrupted) }]);
    expect(published()).toEqual([good]);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: 'outbox item could not be rebuilt',
        sequenceNumber: sequenceNumberOf(corrupted),
        error: expect.objectContaining({ message: expect.stringContaining('MALFORMED') }),
      }),
    );
  });

  it('given an internal handler throws for an event, when the batch is dispatched, then that event is not published and its record is reported', async () => {
    sns.on(PublishBatchCommand).callsFake(acceptEveryEntry);
    const failing = placed('order-1');
    const fine = placed('order-2');
    const { handler } = setup({
      internalHandlers: {
        'order.placed': [
          async (event) => {
            if (event.id === failing.id) throw new Error('projection unavailable');
          },
        ],
      },
    });
    const records = [anOutboxInsert(anOutboxEntry(failing)), anOutboxInsert(anOutboxEntry(fine))];

    const response = await handler(aStreamEvent(records));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: sequenceNumberOf(records[0]!) }]);
    expect(published()).toEqual([fine]);
  });

  it('given a bus without batch publishing, when one publish throws, then only that record is reported and the others are published one by one', async () => {
    const sent: AnyEnvelope[] = [];
    const failing = placed('order-2');
    const bus: EventBus = {
      publish: async (_name, event) => {
        if (event.id === failing.id) throw new Error('broker down');
        sent.push(event as AnyEnvelope);
      },
      subscribe: () => {},
    };
    const { handler } = setup({ bus });
    const events = [placed('order-1'), failing, placed('order-3')];
    const records = events.map((event) => anOutboxInsert(anOutboxEntry(event)));

    const response = await handler(aStreamEvent(records));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: sequenceNumberOf(records[1]!) }]);
    expect(sent).toEqual([events[0], events[2]]);
  });
});
