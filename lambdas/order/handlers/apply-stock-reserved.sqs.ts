/** SQS (subscribed to `stock.reserved`) → the order context's reaction to it (OrderService.applyStockReserved). */
import { consumerOf } from '../../shared/infrastructure/lambda-runtime';
import { orderReactions } from '../application/reactions';
import { orderContext } from '../infrastructure/order-context';

const { service, logger } = orderContext();

export const handler = consumerOf('stock.reserved', orderReactions(service)['stock.reserved'], logger);
