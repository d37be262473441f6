/** SQS (subscribed to `order.placed`) → PaymentService.chargeOnOrderPlaced. */
import { consumerOf } from '../../shared/infrastructure/lambda-runtime';
import { paymentContext } from '../infrastructure/payment-context';

const { service, logger } = paymentContext();

export const handler = consumerOf('order.placed', (event) => service.chargeOnOrderPlaced(event), logger);
