/** SQS (subscribed to `payment.approved`) → the order context's reaction to it (OrderService.confirmPayment). */
import { consumerOf } from '../../shared/infrastructure/lambda-runtime';
import { orderReactions } from '../application/reactions';
import { orderContext } from '../infrastructure/order-context';

const { service, logger } = orderContext();

export const handler = consumerOf('payment.approved', orderReactions(service)['payment.approved'], logger);
