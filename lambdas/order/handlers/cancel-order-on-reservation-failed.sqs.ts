/** SQS (subscribed to `stock.reservation-failed`) → OrderService.cancelOnReservationFailed. */
import { consumerOf } from '../../shared/infrastructure/lambda-runtime';
import { orderContext } from '../infrastructure/order-context';

const { service, logger } = orderContext();

export const handler = consumerOf('stock.reservation-failed', (event) => service.cancelOnReservationFailed(event), logger);
