/** SQS (subscribed to `order.cancelled`) → the payment context's reaction to it (PaymentService.refundOnOrderCancelled). */
import { consumerOf } from '../../shared/infrastructure/lambda-runtime';
import { paymentReactions } from '../application/reactions';
import { paymentContext } from '../infrastructure/payment-context';

const { service, logger } = paymentContext();

export const handler = consumerOf('order.cancelled', paymentReactions(service)['order.cancelled'], logger);
