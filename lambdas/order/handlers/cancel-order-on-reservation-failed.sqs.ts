/** SQS (subscribed to `stock.reservation-failed`) → the order context's reaction to it (OrderService.cancelOnReservationFailed). */
import { consumerOf } from '../../shared/infrastructure/lambda-runtime';
import { orderReactions } from '../application/reactions';
import { orderContext } from '../infrastructure/order-context';

const { service, logger } = orderContext();

export const handler = consumerOf('stock.reservation-failed', orderReactions(service)['stock.reservation-failed'], logger);
