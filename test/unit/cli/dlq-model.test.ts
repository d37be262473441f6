/** Which queues are dead-letter queues, where they redrive, and what an operator types to name one. */
import {
  aliasOf,
  deadLetterQueuesOf,
  DlqError,
  findDeadLetterQueue,
  parseRedrivePolicy,
  streamFailureQueuesOf,
  type QueueFacts,
} from '../../../cli/dlq/model';

const ARN = (name: string) => `arn:aws:sqs:eu-west-1:123456789012:${name}`;
const URL = (name: string) => `https://sqs.eu-west-1.amazonaws.com/123456789012/${name}`;

/** A queue as SQS describes it; on AWS its name is CloudFormation's, its logical id the template's. */
function aQueue(name: string, logicalId: string | undefined, extra: Partial<QueueFacts> = {}): QueueFacts {
  return { url: URL(name), name, arn: ARN(name), ...(logicalId ? { logicalId } : {}), messages: 0, inFlight: 0, ...extra };
}

const paymentDlq = aQueue('EventDrivenOrders-PaymentOrderPlacedSubscriptionDeadL-AAAA', 'PaymentOrderPlacedSubscriptionDeadLetterQueueDA7A5250', { messages: 3, inFlight: 1 });
const paymentQueue = aQueue('EventDrivenOrders-PaymentOrderPlacedSubscriptionQueue-BBBB', 'PaymentOrderPlacedSubscriptionQueueDA9CCAF5', {
  redrivePolicy: { deadLetterTargetArn: paymentDlq.arn, maxReceiveCount: 5 },
});
const eventLogDlq = aQueue('EventDrivenOrders-EventLogStockReservationFailedSubscr-CCCC', 'EventLogStockReservationFailedSubscriptionDeadLetterQueue79016011');
const eventLogQueue = aQueue('EventDrivenOrders-EventLogStockReservationFailedSubscr-DDDD', 'EventLogStockReservationFailedSubscriptionQueue0096CE4A', {
  redrivePolicy: { deadLetterTargetArn: eventLogDlq.arn, maxReceiveCount: 5 },
});
const orderFailures = aQueue('EventDrivenOrders-OrderOutboxFailureQueue-EEEE', 'OrderOutboxFailureQueue70F31DDA', { messages: 1 });
const STACK = [paymentQueue, paymentDlq, eventLogQueue, eventLogDlq, orderFailures];

describe('the short names of the queues', () => {
  it.each([
    ['PaymentOrderPlacedSubscriptionDeadLetterQueueDA7A5250', 'payment/order.placed'],
    ['PaymentOrderPlacedSubscriptionQueueDA9CCAF5', 'payment/order.placed'],
    ['EventLogStockReservationFailedSubscriptionDeadLetterQueue79016011', 'event-log/stock.reservation-failed'],
    ['InventoryOrderCancelledSubscriptionDeadLetterQueue309B8F82', 'inventory/order.cancelled'],
    ['OrderOutboxFailureQueue70F31DDA', 'order/outbox'],
  ])('%s is %s: the consumer, then the event it subscribes to', (logicalId, alias) => {
    expect(aliasOf(logicalId)).toBe(alias);
  });

  it.each([['SomethingElse1234ABCD'], ['PaymentOrderShippedSubscriptionDeadLetterQueueDA7A5250'], ['PaymentOrderPlacedSubscriptionDeadLetterQueue']])(
    '%s, not a subscription or outbox queue of the catalogue, has none',
    (logicalId) => {
      expect(aliasOf(logicalId)).toBeUndefined();
    },
  );
});

describe('redrive policies', () => {
  it('reads the JSON string SQS gives, with the receive count as a number or a string', () => {
    expect(parseRedrivePolicy('{"deadLetterTargetArn":"arn:x","maxReceiveCount":5}')).toEqual({ deadLetterTargetArn: 'arn:x', maxReceiveCount: 5 });
    expect(parseRedrivePolicy('{"deadLetterTargetArn":"arn:x","maxReceiveCount":"3"}')).toEqual({ deadLetterTargetArn: 'arn:x', maxReceiveCount: 3 });
  });

  it.each([[undefined], [''], ['not json'], ['{"maxReceiveCount":5}']])('has none in %j', (text) => {
    expect(parseRedrivePolicy(text)).toBeUndefined();
  });
});

describe('the stream failure queues of a template', () => {
  it('are the on-failure destinations of the event source mappings, by logical id or literal ARN', () => {
    // given
    const template = {
      Resources: {
        Dispatcher: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['OrderOutboxFailureQueue70F31DDA', 'Arn'] } } } } },
        Other: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { DestinationConfig: { OnFailure: { Destination: ARN('literal') } } } },
        SqsSource: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { EventSourceArn: ARN('q') } },
        Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
      },
    };
    // then
    expect(streamFailureQueuesOf(template)).toEqual(new Set(['OrderOutboxFailureQueue70F31DDA', ARN('literal')]));
  });

  it.each([[undefined], ['yaml text'], [{ Resources: 'nonsense' }]])('are none in %j', (template) => {
    expect(streamFailureQueuesOf(template).size).toBe(0);
  });
});

describe('the dead-letter queues of a stack', () => {
  it('are the targets of redrive policies, with their sources, and the stream failure queues, sorted by what to type', () => {
    // when
    const found = deadLetterQueuesOf(STACK, new Set(['OrderOutboxFailureQueue70F31DDA']));
    // then
    expect(found.map((q) => [q.label, q.kind, q.messages, q.inFlight, q.sources.map((s) => `${s.name} after ${s.maxReceiveCount}`)])).toEqual([
      ['event-log/stock.reservation-failed', 'dead-letter', 0, 0, [`${eventLogQueue.name} after 5`]],
      ['order/outbox', 'stream-failure', 1, 0, []],
      ['payment/order.placed', 'dead-letter', 3, 1, [`${paymentQueue.name} after 5`]],
    ]);
  });

  it('gather every source queue of a shared dead-letter queue', () => {
    // given two queues redrive to one
    const shared = aQueue('shared-dlq', undefined);
    const a = aQueue('a', undefined, { redrivePolicy: { deadLetterTargetArn: shared.arn, maxReceiveCount: 3 } });
    const b = aQueue('b', undefined, { redrivePolicy: { deadLetterTargetArn: shared.arn, maxReceiveCount: 5 } });
    // when
    const [only, ...others] = deadLetterQueuesOf([a, b, shared]);
    // then: without a logical id, the queue's name is what to type
    expect(others).toEqual([]);
    expect(only).toMatchObject({ label: 'shared-dlq', kind: 'dead-letter', sources: [{ name: 'a', maxReceiveCount: 3 }, { name: 'b', maxReceiveCount: 5 }] });
  });

  it('leave out a queue nothing redrives to and no stream fails to', () => {
    expect(deadLetterQueuesOf([aQueue('lonely', 'LonelyQueue12345678')])).toEqual([]);
  });
});

describe('naming a dead-letter queue', () => {
  const queues = deadLetterQueuesOf(STACK, new Set(['OrderOutboxFailureQueue70F31DDA']));

  it.each([
    ['its short name', 'payment/order.placed'],
    ['its short name in any case', 'Payment/Order.Placed'],
    ['its name', paymentDlq.name],
    ['its URL', paymentDlq.url],
    ['its ARN', paymentDlq.arn],
    ['its logical id', 'PaymentOrderPlacedSubscriptionDeadLetterQueueDA7A5250'],
  ])('by %s finds it', (_, reference) => {
    expect(findDeadLetterQueue(queues, reference).arn).toBe(paymentDlq.arn);
  });

  it('by the name of its source queue says which dead-letter queue to name instead', () => {
    expect(() => findDeadLetterQueue(queues, paymentQueue.name)).toThrow(
      new DlqError(`"${paymentQueue.name}" is a source queue, not a dead-letter queue; its dead-letter queue is payment/order.placed`),
    );
  });

  it('by an unknown name lists the names there are', () => {
    expect(() => findDeadLetterQueue(queues, 'payment/order.shipped')).toThrow(
      'no dead-letter queue "payment/order.shipped"; there are: event-log/stock.reservation-failed, order/outbox, payment/order.placed (see `orders dlq list`)',
    );
  });
});
