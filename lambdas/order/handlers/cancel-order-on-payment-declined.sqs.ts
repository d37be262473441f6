/** SQS (subscribed to `payment.declined`) → the order context's reaction to it (OrderService.cancelOnPaymentDeclined). */
import { consumerOf } from '../../shared/infrastructure/lambda-runtime';
import { orderReactions } from '../application/reactions';
import { orderContext } from '../infrastructure/order-context';

const { service, logger } = orderContext();

export const handler = consumerOf('payment.declined', orderReactions(service)['payment.declined'], logger);
