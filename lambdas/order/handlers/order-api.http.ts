/** API Gateway HTTP API → the Order API: place, get, list, cancel orders, read their timelines, and the explorer page. */
import { createOrderApi } from '../infrastructure/http-api';
import { orderContext } from '../infrastructure/order-context';

const { service, logger } = orderContext({ timelines: true, recentOrders: true });

export const handler = createOrderApi(service, logger);
