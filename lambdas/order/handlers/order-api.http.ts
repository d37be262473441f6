/** API Gateway HTTP API → the Order API: place, get, cancel an order, and read its timeline. */
import { createOrderApi } from '../infrastructure/http-api';
import { orderContext } from '../infrastructure/order-context';

const { service, logger } = orderContext({ timelines: true });

export const handler = createOrderApi(service, logger);
