import 'aws-sdk-client-mock-jest';
import { mockClient } from 'aws-sdk-client-mock';
import { PublishBatchCommand, PublishCommand, SNSClient, type PublishBatchCommandInput } from '@aws-sdk/client-sns';
import type { AnyEnvelope } from '../../../lambdas/shared/events/envelope';
import { MAX_BATCH_BYTES, SnsEventBus } from '../../../lambdas/shared/event-bus/sns-event-bus';
import { anEvent } from '../../support/factories';

const TOPICS = {
  'order.placed': 'arn:aws:sns:eu-west-1:123456789012:order-placed',
  'order.cancelled': 'arn:aws:sns:eu-west-1:123456789012:order-cancelled',
} as const;

const sns = mockClient(SNSClient);

beforeEach(() => {
  sns.reset();
});

const newBus = () => new SnsEventBus({ client: new SNSClient({ region: 'eu-west-1' }), topicArns: TOPICS });

/** SNS's answer when it accepts every entry of the call. */
function acceptEveryEntry(input: PublishBatchCommandInput) {
  return {
    Successful: (input.PublishBatchRequestEntries ?? []).map((entry) => ({ Id: entry.Id, MessageId: `sns-${entry.Id}` })),
    Failed: [],
  };
}

/** The events sent, call by call, as they went out. */
function publishedBatches(): AnyEnvelope[][] {
  return sns
    .commandCalls(PublishBatchCommand)
    .map((call) => (call.args[0].input.PublishBatchRequestEntries ?? []).map((entry) => JSON.parse(entry.Message ?? '') as AnyEnvelope));
}

const placedOrders = (count: number) =>
  Array.from({ length: count }, (_, i) => anEvent('order.placed', { orderId: `order-${i + 1}` }, { aggregateId: `order-${i + 1}` }));

describe('SnsEventBus.publish', () => {
  it('given an event, when it is published, then it goes to its topic as the envelope JSON with type and version attributes', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'sns-1' });
    const event = anEvent('order.placed');

    await newBus().publish('order.placed', event);

    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input).toEqual({
      TopicArn: TOPICS['order.placed'],
      Message: JSON.stringify(event),
      MessageAttributes: {
        type: { DataType: 'String', StringValue: 'order.placed' },
        version: { DataType: 'Number', StringValue: '2' },
      },
    });
  });

  it('given an event whose type is not the topic named, when it is published, then it is refused and nothing is sent', async () => {
    const event = anEvent('order.cancelled') as unknown as AnyEnvelope;

    await expect(newBus().publish('order.placed', event as never)).rejects.toThrow('cannot publish a order.cancelled event to the order.placed topic');
    expect(sns).not.toHaveReceivedAnyCommand();
  });

  it('given no topic configured for an event type, when such an event is published, then the error names the event type', async () => {
    await expect(newBus().publish('order.paid', anEvent('order.paid'))).rejects.toThrow('no topic ARN configured for order.paid');
    expect(sns).not.toHaveReceivedAnyCommand();
  });

  it('given SNS rejects the call, when an event is published, then the error reaches the caller', async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    await expect(newBus().publish('order.placed', anEvent('order.placed'))).rejects.toThrow('Rate exceeded');
  });
});

describe('SnsEventBus.publishBatch', () => {
  it('given two events of one topic, when they are published, then one PublishBatch call carries both with their attributes', async () => {
    sns.on(PublishBatchCommand).callsFake(acceptEveryEntry);
    const [first, second] = placedOrders(2) as [AnyEnvelope, AnyEnvelope];

    const result = await newBus().publishBatch([first, second]);

    expect(result.failed).toEqual([]);
    expect(sns).toHaveReceivedCommandTimes(PublishBatchCommand, 1);
    expect(sns.commandCalls(PublishBatchCommand)[0]?.args[0].input).toEqual({
      TopicArn: TOPICS['order.placed'],
      PublishBatchRequestEntries: [
        {
          Id: 'e0',
          Message: JSON.stringify(first),
          MessageAttributes: { type: { DataType: 'String', StringValue: 'order.placed' }, version: { DataType: 'Number', StringValue: '2' } },
        },
        {
          Id: 'e1',
          Message: JSON.stringify(second),
          MessageAttributes: { type: { DataType: 'String', StringValue: 'order.placed' }, version: { DataType: 'Number', StringValue: '2' } },
        },
      ],
    });
  });

  it('given 23 events of one topic, when they are published, then they go out in 3 PublishBatch calls of at most 10', async () => {
    sns.on(PublishBatchCommand).callsFake(acceptEveryEntry);
    const events = placedOrders(23);

    const result = await newBus().publishBatch(events);

    expect(result.failed).toEqual([]);
    expect(sns).toHaveReceivedCommandTimes(PublishBatchCommand, 3);
    expect(publishedBatches().map((batch) => batch.length)).toEqual([10, 10, 3]);
    expect(publishedBatches().flat()).toEqual(events);
    for (const call of sns.commandCalls(PublishBatchCommand)) expect(call.args[0].input.TopicArn).toBe(TOPICS['order.placed']);
  });

  it('given events of two topics, when they are published, then each call goes to one topic and holds only its events', async () => {
    sns.on(PublishBatchCommand).callsFake(acceptEveryEntry);
    const placed = placedOrders(12);
    const cancelled = [1, 2, 3].map((i) => anEvent('order.cancelled', { orderId: `other-${i}` }, { aggregateId: `other-${i}` }));

    await newBus().publishBatch([...placed.slice(0, 6), ...cancelled, ...placed.slice(6)]);

    const calls = sns.commandCalls(PublishBatchCommand).map((call) => ({
      topic: call.args[0].input.TopicArn,
      types: (call.args[0].input.PublishBatchRequestEntries ?? []).map((entry) => entry.MessageAttributes?.type?.StringValue),
    }));
    expect(calls).toEqual([
      { topic: TOPICS['order.placed'], types: Array(10).fill('order.placed') },
      { topic: TOPICS['order.placed'], types: Array(2).fill('order.placed') },
      { topic: TOPICS['order.cancelled'], types: Array(3).fill('order.cancelled') },
    ]);
  });

  it('given events whose messages together exceed 256 KiB, when they are published, then no call carries more than SNS accepts', async () => {
    sns.on(PublishBatchCommand).callsFake(acceptEveryEntry);
    // About 60 KiB each: five of them do not fit one call.
    const lines = Array.from({ length: 700 }, (_, i) => ({ sku: `SKU-${String(i).padStart(60, '0')}`, quantity: 1, unitPrice: 100 }));
    const events = [1, 2, 3, 4, 5].map((i) => anEvent('order.placed', { orderId: `big-${i}`, lines }, { aggregateId: `big-${i}` }));

    const result = await newBus().publishBatch(events);

    expect(result.failed).toEqual([]);
    expect(sns).toHaveReceivedCommandTimes(PublishBatchCommand, 2);
    for (const call of sns.commandCalls(PublishBatchCommand)) {
      const bytes = (call.args[0].input.PublishBatchRequestEntries ?? []).reduce((sum, entry) => sum + Buffer.byteLength(entry.Message ?? ''), 0);
      expect(bytes).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    }
    expect(publishedBatches().flat()).toEqual(events);
  });

  it('given SNS lists one entry as Failed, when the batch is published, then exactly that event is reported with the reason', async () => {
    sns.on(PublishBatchCommand).callsFake((input: PublishBatchCommandInput) => ({
      Successful: (input.PublishBatchRequestEntries ?? []).filter((e) => e.Id !== 'e1').map((e) => ({ Id: e.Id, MessageId: `sns-${e.Id}` })),
      Failed: [{ Id: 'e1', Code: 'InternalError', Message: 'try again', SenderFault: false }],
    }));
    const events = placedOrders(3);

    const { failed } = await newBus().publishBatch(events);

    expect(failed).toEqual([{ event: events[1], reason: 'InternalError: try again' }]);
  });

  it('given SNS lists an entry as both Successful and Failed, when the batch is published, then it counts as failed', async () => {
    sns.on(PublishBatchCommand).callsFake((input: PublishBatchCommandInput) => ({
      ...acceptEveryEntry(input),
      Failed: [{ Id: 'e0', Code: 'KMSThrottling', Message: 'slow down', SenderFault: false }],
    }));
    const events = placedOrders(2);

    const { failed } = await newBus().publishBatch(events);

    expect(failed).toEqual([{ event: events[0], reason: 'KMSThrottling: slow down' }]);
  });

  it('given SNS answers for only some entries, when the batch is published, then the others are failures, not successes', async () => {
    sns.on(PublishBatchCommand).resolves({ Successful: [{ Id: 'e0', MessageId: 'sns-0' }], Failed: [] });
    const events = placedOrders(3);

    const { failed } = await newBus().publishBatch(events);

    expect(failed.map((f) => f.event)).toEqual([events[1], events[2]]);
    expect(failed[0]?.reason).toBe('PublishBatch returned no result for this entry');
  });

  it('given a PublishBatch call throws, when the batch is published, then every entry of that call fails and the other calls are unaffected', async () => {
    sns
      .on(PublishBatchCommand, { TopicArn: TOPICS['order.placed'] })
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .on(PublishBatchCommand, { TopicArn: TOPICS['order.cancelled'] })
      .callsFake(acceptEveryEntry);
    const placed = placedOrders(2);
    const cancelled = anEvent('order.cancelled', { orderId: 'other' }, { aggregateId: 'other' });

    const { failed } = await newBus().publishBatch([...placed, cancelled]);

    expect(failed).toEqual(placed.map((event) => ({ event, reason: 'PublishBatch failed: ThrottlingException: Rate exceeded' })));
  });

  it('given an event type without a topic, when the batch is published, then that event fails with a reason naming its type and the rest go out', async () => {
    sns.on(PublishBatchCommand).callsFake(acceptEveryEntry);
    const paid = anEvent('order.paid', {}, { aggregateId: 'order-paid' });
    const placed = anEvent('order.placed', {}, { aggregateId: 'order-placed' });

    const { failed } = await newBus().publishBatch([paid, placed]);

    expect(failed).toEqual([{ event: paid, reason: 'no topic ARN configured for order.paid' }]);
    expect(publishedBatches()).toEqual([[placed]]);
  });

  it('given two events of one aggregate, when the batch is published, then the later one is sent only after the earlier one was accepted', async () => {
    sns.on(PublishBatchCommand).callsFake(acceptEveryEntry);
    const placed = anEvent('order.placed', {}, { aggregateId: 'order-a' });
    const cancelled = anEvent('order.cancelled', {}, { aggregateId: 'order-a' });
    const other = anEvent('order.placed', { orderId: 'order-b' }, { aggregateId: 'order-b' });

    await newBus().publishBatch([placed, cancelled, other]);

    expect(publishedBatches()).toEqual([[placed, other], [cancelled]]);
  });

  it('given the first event of an aggregate fails, when the batch is published, then its later events are held back and reported', async () => {
    sns.on(PublishBatchCommand).callsFake((input: PublishBatchCommandInput) => ({
      Successful: [],
      Failed: (input.PublishBatchRequestEntries ?? []).map((e) => ({ Id: e.Id, Code: 'InternalError', Message: 'down', SenderFault: false })),
    }));
    const placed = anEvent('order.placed', {}, { aggregateId: 'order-a' });
    const cancelled = anEvent('order.cancelled', {}, { aggregateId: 'order-a' });

    const { failed } = await newBus().publishBatch([placed, cancelled]);

    expect(sns).toHaveReceivedCommandTimes(PublishBatchCommand, 1);
    expect(failed).toEqual([
      { event: placed, reason: 'InternalError: down' },
      { event: cancelled, reason: 'held back: an earlier event of aggregate order-a failed' },
    ]);
  });

  it('given no events, when the batch is published, then nothing is sent', async () => {
    await expect(newBus().publishBatch([])).resolves.toEqual({ failed: [] });
    expect(sns).not.toHaveReceivedAnyCommand();
  });
});

describe('SnsEventBus.subscribe', () => {
  it('given handlers subscribed to an event type, when its handlers are asked for, then they come back in subscription order and no other type has them', () => {
    const bus = newBus();
    const first = async () => {};
    const second = async () => {};
    bus.subscribe('order.placed', first, { name: 'payment:order.placed' });
    bus.subscribe('order.placed', second);

    expect(bus.handlersFor('order.placed')).toEqual([first, second]);
    expect(bus.subscriptionsFor('order.placed').map((s) => s.name)).toEqual(['payment:order.placed', 'order.placed#2']);
    expect(bus.handlersFor('order.cancelled')).toEqual([]);
  });

  it('given a subscriber name already taken for a type, when it subscribes again, then it is refused', () => {
    const bus = newBus();
    bus.subscribe('order.placed', async () => {}, { name: 'payment:order.placed' });

    expect(() => bus.subscribe('order.placed', async () => {}, { name: 'payment:order.placed' })).toThrow('already exists');
  });
});
