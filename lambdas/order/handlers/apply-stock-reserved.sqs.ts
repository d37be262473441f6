/** SQS (subscribed to `stock.reserved`) → OrderService.applyStockReserved. */
import { consumerOf } from '../../shared/infrastructure/lambda-runtime';
import { orderContext } from '../infrastructure/order-context';

const { service, logger } = orderContext();

export const handler = consumerOf('stock.reserved', (event) => service.applyStockReserved(event), logger);
