import { SNSClient } from '@aws-sdk/client-sns';
import type { EventType } from '../../../lambdas/shared/events/catalogue';
import type { AnyEnvelope } from '../../../lambdas/shared/events/envelope';
import type { EventHandler } from '../../../lambdas/shared/event-bus/event-bus';
import { SnsEventBus } from '../../../lambdas/shared/event-bus/sns-event-bus';
import { subscribeReactions } from '../../../lambdas/shared/event-bus/subscribe';
import { InMemoryStore } from '../../../lambdas/shared/infrastructure/in-memory-store';
import { createSqsConsumer } from '../../../lambdas/shared/infrastructure/sqs-consumer';
import { Logger } from '../../../lambdas/shared/logger';
import { PaymentService } from '../../../lambdas/payment/application/payment-service';
import { paymentReactions } from '../../../lambdas/payment/application/reactions';
import { StoredPaymentRepository } from '../../../lambdas/payment/infrastructure/stored-payment-repository';
import { anEvent, fixedClock, sequentialIds } from '../../support/factories';
import { anSnsNotificationBody, anSqsEvent, anSqsRecord, anSqsRecordOf } from '../../support/lambda-events';

type LogLine = Record<string, unknown>;

/** A consumer whose handlers record what they receive, and a log to read. */
function setup(handlersByType: Partial<Record<EventType, EventHandler[]>> = {}) {
  const logs: LogLine[] = [];
  const logger = new Logger('debug', {}, (line) => logs.push(JSON.parse(line) as LogLine));
  const consumer = createSqsConsumer({ handlers: (type) => handlersByType[type] ?? [], logger });
  return { consumer, logs };
}

function recording() {
  const received: AnyEnvelope[] = [];
  const handler: EventHandler = async (event) => {
    received.push(event as AnyEnvelope);
  };
  return { received, handler };
}

describe('SQS consumer', () => {
  it('given a batch with a malformed body, an unknown type and two good records, when it is consumed, then exactly the two bad records fail and the two good ones are handled', async () => {
    const { received, handler } = recording();
    const { consumer, logs } = setup({ 'order.placed': [handler] });
    const good = [anEvent('order.placed', { orderId: 'order-1' }), anEvent('order.placed', { orderId: 'order-2' })];
    const malformed = anSqsRecord('{"id": "evt-1", ');
    const unknownType = anSqsRecord(JSON.stringify({ ...anEvent('order.placed'), type: 'order.teleported' }));

    const response = await consumer(anSqsEvent([anSqsRecordOf(good[0]!), malformed, unknownType, anSqsRecordOf(good[1]!)]));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: malformed.messageId }, { itemIdentifier: unknownType.messageId }]);
    expect(received).toEqual(good);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'error', messageId: malformed.messageId, reason: expect.stringContaining('MALFORMED') }),
    );
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'error', messageId: unknownType.messageId, reason: expect.stringContaining('UNKNOWN_TYPE') }),
    );
  });

  it('given a schema-invalid event and one of a future version, when they are consumed, then both fail with their reason logged as errors', async () => {
    const { received, handler } = recording();
    const { consumer, logs } = setup({ 'order.placed': [handler] });
    const invalid = anSqsRecord(JSON.stringify({ ...anEvent('order.placed'), data: { orderId: 'order-1', total: -5 } }));
    const future = anSqsRecord(JSON.stringify({ ...anEvent('order.placed'), version: 3 }));

    const response = await consumer(anSqsEvent([invalid, future]));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: invalid.messageId }, { itemIdentifier: future.messageId }]);
    expect(received).toEqual([]);
    const errors = logs.filter((line) => line.level === 'error');
    expect(errors).toEqual([
      expect.objectContaining({ messageId: invalid.messageId, reason: expect.stringContaining('INVALID_DATA') }),
      expect.objectContaining({ messageId: future.messageId, reason: expect.stringContaining('UNSUPPORTED_VERSION') }),
    ]);
  });

  it('given a body wrapped in an SNS notification (raw delivery off), when it is consumed, then the envelope inside is handled', async () => {
    const { received, handler } = recording();
    const { consumer } = setup({ 'order.placed': [handler] });
    const event = anEvent('order.placed');

    const response = await consumer(anSqsEvent([anSqsRecord(anSnsNotificationBody(event))]));

    expect(response.batchItemFailures).toEqual([]);
    expect(received).toEqual([event]);
  });

  it('given an older version of an event, when it is consumed, then the handler receives it upcast to the current version', async () => {
    const { received, handler } = recording();
    const { consumer } = setup({ 'order.placed': [handler] });
    const current = anEvent('order.placed');
    const { currency: _currency, ...v1Data } = current.data;

    const response = await consumer(anSqsEvent([anSqsRecord(JSON.stringify({ ...current, version: 1, data: v1Data }))]));

    expect(response.batchItemFailures).toEqual([]);
    expect(received).toEqual([{ ...current, version: 2, data: { ...v1Data, currency: 'EUR' } }]);
  });

  it('given an event type no handler is subscribed to, when it is consumed, then its record fails and the cause is logged', async () => {
    const { consumer, logs } = setup({});
    const event = anEvent('payment.refunded');
    const record = anSqsRecordOf(event);

    const response = await consumer(anSqsEvent([record]));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'no handler subscribed to this event type', eventId: event.id, eventType: 'payment.refunded' }),
    );
  });

  it('given a handler that throws on one event, when the batch is consumed, then only its record fails and the others are handled', async () => {
    const { received, handler } = recording();
    const failing = anEvent('order.placed', { orderId: 'order-2' });
    const flaky: EventHandler = async (event) => {
      if (event.id === failing.id) throw new Error('database unavailable');
      await handler(event);
    };
    const { consumer } = setup({ 'order.placed': [flaky] });
    const events = [anEvent('order.placed', { orderId: 'order-1' }), failing, anEvent('order.placed', { orderId: 'order-3' })];
    const records = events.map((event) => anSqsRecordOf(event));

    const response = await consumer(anSqsEvent(records));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[1]?.messageId }]);
    expect(received).toEqual([events[0], events[2]]);
  });

  it('given a handled and a failing event, when they are consumed, then every log line about them carries correlationId, eventId and eventType', async () => {
    const failing = anEvent('order.cancelled', {}, { correlationId: 'corr-cancel' });
    const ok = anEvent('order.placed', {}, { correlationId: 'corr-place' });
    const { consumer, logs } = setup({
      'order.placed': [async () => {}],
      'order.cancelled': [
        async () => {
          throw new Error('boom');
        },
      ],
    });

    await consumer(anSqsEvent([anSqsRecordOf(ok), anSqsRecordOf(failing)]));

    expect(logs.map(({ message, correlationId, eventId, eventType }) => ({ message, correlationId, eventId, eventType }))).toEqual([
      { message: 'event handled', correlationId: 'corr-place', eventId: ok.id, eventType: 'order.placed' },
      { message: 'handler failed; the message will be delivered again', correlationId: 'corr-cancel', eventId: failing.id, eventType: 'order.cancelled' },
    ]);
  });

  it('given handlers subscribed on an SnsEventBus, when the consumer reads them from the bus, then every handler of the type runs', async () => {
    const bus = new SnsEventBus({ client: new SNSClient({ region: 'eu-west-1' }), topicArns: {} });
    const first = recording();
    const second = recording();
    bus.subscribe('order.cancelled', first.handler, { name: 'payment:order.cancelled' });
    bus.subscribe('order.cancelled', second.handler, { name: 'inventory:order.cancelled' });
    const consumer = createSqsConsumer({ handlers: bus });
    const event = anEvent('order.cancelled');

    const response = await consumer(anSqsEvent([anSqsRecordOf(event)]));

    expect(response.batchItemFailures).toEqual([]);
    expect(first.received).toEqual([event]);
    expect(second.received).toEqual([event]);
  });

  it('given the same order.placed delivered twice to the real Payment service, when both are consumed, then there is one payment decision and one pending event', async () => {
    const store = new InMemoryStore({ source: 'payment', clock: fixedClock(), ids: sequentialIds('evt') });
    const payments = new PaymentService({ payments: new StoredPaymentRepository(store), clock: fixedClock(), ids: sequentialIds('pay') });
    const bus = new SnsEventBus({ client: new SNSClient({ region: 'eu-west-1' }), topicArns: {} });
    subscribeReactions(bus, 'payment', paymentReactions(payments));
    const consumer = createSqsConsumer({ handlers: bus });
    const orderPlaced = anEvent('order.placed', { orderId: 'order-42', total: 9000 });

    const first = await consumer(anSqsEvent([anSqsRecordOf(orderPlaced)]));
    const redelivery = await consumer(anSqsEvent([anSqsRecordOf(orderPlaced)]));

    expect(first.batchItemFailures).toEqual([]);
    expect(redelivery.batchItemFailures).toEqual([]);
    expect(store.committedEvents.map((entry) => entry.event.type)).toEqual(['payment.approved']);
    expect(store.committedEvents[0]?.event.causationId).toBe(orderPlaced.id);
    await expect(payments.getPayment('order-42')).resolves.toEqual(expect.objectContaining({ status: 'APPROVED', paymentId: 'pay-1' }));
  });
});
