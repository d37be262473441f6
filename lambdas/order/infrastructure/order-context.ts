/** The Order context as Lambda runs it: DynamoDB through the outbox store; built once per container. */
import { randomIds, systemClock } from '../../shared/application/ports';
import { DynamoDbEventLog } from '../../shared/event-log/dynamodb-event-log';
import { dynamoDbClient } from '../../shared/infrastructure/aws-clients';
import { requireEnv } from '../../shared/infrastructure/config';
import { DynamoDbStore } from '../../shared/infrastructure/dynamodb-store';
import { functionLogger } from '../../shared/infrastructure/lambda-runtime';
import { OrderService } from '../application/order-service';
import { StoredOrderRepository, StoredRecentOrders } from './stored-order-repository';

export interface OrderContextOptions {
  /** Read timelines from the event log (`EVENT_LOG_TABLE_NAME`): the API only. */
  readonly timelines?: boolean;
  /** List recent orders from the orders table's listing index: the API only. */
  readonly recentOrders?: boolean;
}

/** `TABLE_NAME`: the orders table; `EVENT_LOG_TABLE_NAME` only where timelines are read (the API). */
export function orderContext(options: OrderContextOptions = {}) {
  const env = requireEnv(['TABLE_NAME', ...(options.timelines ? (['EVENT_LOG_TABLE_NAME'] as const) : [])]);
  const logger = functionLogger('order');
  const client = dynamoDbClient();
  const store = new DynamoDbStore({ client, tableName: env.TABLE_NAME, source: 'order' });
  const timelines = options.timelines ? new DynamoDbEventLog({ client, tableName: process.env.EVENT_LOG_TABLE_NAME as string }) : undefined;
  const recentOrders = options.recentOrders ? new StoredRecentOrders(store) : undefined;
  const service = new OrderService({ orders: new StoredOrderRepository(store), timelines, recentOrders, clock: systemClock, ids: randomIds, logger });
  return { service, logger };
}
