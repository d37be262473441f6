import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DEFAULT_PAYMENT_LIMIT } from '../lambdas/payment/application/payment-service';
import { BoundedContext } from './constructs/bounded-context';
import { EventLog } from './constructs/event-log';
import { EventTopics } from './constructs/event-topics';
import { eventId } from './constructs/naming';
import { OrderApi } from './constructs/order-api';

export interface EventDrivenOrdersStackProps extends StackProps {
  /** Largest order total Payment approves, in cents (default 1,000.00). */
  readonly paymentLimitCents?: number;
}

/**
 * The whole system: one SNS topic per event of the catalogue, three bounded contexts that meet
 * only on those topics, the event log, and the Order API.
 */
export class EventDrivenOrdersStack extends Stack {
  readonly topics: EventTopics;
  readonly order: BoundedContext;
  readonly payment: BoundedContext;
  readonly inventory: BoundedContext;
  readonly eventLog: EventLog;
  readonly api: OrderApi;

  constructor(scope: Construct, id: string, props: EventDrivenOrdersStackProps = {}) {
    super(scope, id, { description: 'Event-driven integration between Order, Payment and Inventory contexts', ...props });
    this.topics = new EventTopics(this, 'Events');

    this.order = new BoundedContext(this, 'Order', {
      context: 'order',
      topics: this.topics,
      consumers: {
        'payment.approved': { entry: 'order/handlers/confirm-payment.sqs.ts', description: 'payment.approved -> mark the order paid' },
        'payment.declined': { entry: 'order/handlers/cancel-order-on-payment-declined.sqs.ts', description: 'payment.declined -> cancel the order' },
        'stock.reserved': { entry: 'order/handlers/apply-stock-reserved.sqs.ts', description: 'stock.reserved -> the order is reserved' },
        'stock.reservation-failed': {
          entry: 'order/handlers/cancel-order-on-reservation-failed.sqs.ts',
          description: 'stock.reservation-failed -> cancel the order',
        },
      },
    });
    this.payment = new BoundedContext(this, 'Payment', {
      context: 'payment',
      topics: this.topics,
      environment: { PAYMENT_LIMIT_CENTS: String(props.paymentLimitCents ?? DEFAULT_PAYMENT_LIMIT) },
      consumers: {
        'order.placed': { entry: 'payment/handlers/charge-payment.sqs.ts', description: 'order.placed -> approve or decline the payment' },
        'order.cancelled': { entry: 'payment/handlers/refund-payment.sqs.ts', description: 'order.cancelled -> refund a taken payment' },
      },
    });
    this.inventory = new BoundedContext(this, 'Inventory', {
      context: 'inventory',
      topics: this.topics,
      consumers: {
        'order.paid': { entry: 'inventory/handlers/reserve-stock.sqs.ts', description: 'order.paid -> reserve the stock' },
        'order.cancelled': { entry: 'inventory/handlers/release-stock.sqs.ts', description: 'order.cancelled -> release reserved stock' },
      },
    });
    this.eventLog = new EventLog(this, 'EventLog', { topics: this.topics });
    // Recent orders by day, for `GET /orders` and the explorer: a Query per day, never a Scan.
    this.order.table.addListingIndex();

    const apiFunction = this.order.addFunction('Api', {
      entry: 'order/handlers/order-api.http.ts',
      description: 'Order HTTP API: place, get, list, cancel, timeline; the explorer page',
      environment: { EVENT_LOG_TABLE_NAME: this.eventLog.table.table.tableName },
    });
    this.eventLog.grantRead(apiFunction.function);
    this.order.table.grantList(apiFunction.function);
    this.api = new OrderApi(this, 'Api', { handler: apiFunction.function });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the Order API (opened in a browser: the event-flow explorer)' });
    new CfnOutput(this, 'OrdersTableName', { value: this.order.table.table.tableName });
    new CfnOutput(this, 'PaymentsTableName', { value: this.payment.table.table.tableName });
    new CfnOutput(this, 'InventoryTableName', { value: this.inventory.table.table.tableName });
    new CfnOutput(this, 'EventLogTableName', { value: this.eventLog.table.table.tableName });
    for (const [type, topic] of Object.entries(this.topics.topics)) {
      new CfnOutput(this, `${eventId(type as keyof typeof this.topics.topics)}TopicArn`, { value: topic.topicArn, description: `Topic of ${type}` });
    }
  }
}
