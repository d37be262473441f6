/** SQS (subscribed to `order.placed`) → the payment context's reaction to it (PaymentService.chargeOnOrderPlaced). */
import { consumerOf } from '../../shared/infrastructure/lambda-runtime';
import { paymentReactions } from '../application/reactions';
import { paymentContext } from '../infrastructure/payment-context';

const { service, logger } = paymentContext();

export const handler = consumerOf('order.placed', paymentReactions(service)['order.placed'], logger);
