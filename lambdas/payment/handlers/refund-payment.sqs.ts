/** SQS (subscribed to `order.cancelled`) → PaymentService.refundOnOrderCancelled. */
import { consumerOf } from '../../shared/infrastructure/lambda-runtime';
import { paymentContext } from '../infrastructure/payment-context';

const { service, logger } = paymentContext();

export const handler = consumerOf('order.cancelled', (event) => service.refundOnOrderCancelled(event), logger);
