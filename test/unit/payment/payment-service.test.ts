import { EventDispatcher } from '../../../lambdas/shared/event-bus/dispatcher';
import { InMemoryEventBus } from '../../../lambdas/shared/event-bus/in-memory-event-bus';
import { eventsProducedBy } from '../../../lambdas/shared/events/catalogue';
import { InMemoryStore } from '../../../lambdas/shared/infrastructure/in-memory-store';
import { DEFAULT_PAYMENT_LIMIT, PaymentService } from '../../../lambdas/payment/application/payment-service';
import { StoredPaymentRepository } from '../../../lambdas/payment/infrastructure/stored-payment-repository';
import { anEvent, fixedClock, recordPublished, recordedFromNow, sequentialIds } from '../../support/factories';

const ORDER_ID = 'order-1';

/** The Payment context in memory, with a recorder of everything it publishes. */
function aPaymentContext(options: { limit?: number } = {}) {
  const clock = fixedClock();
  const bus = new InMemoryEventBus();
  const published = recordPublished(bus, eventsProducedBy('payment'));
  const store = new InMemoryStore({ source: 'payment', dispatcher: new EventDispatcher(bus), clock, ids: sequentialIds('evt') });
  const service = new PaymentService({ payments: new StoredPaymentRepository(store), clock, ids: sequentialIds('pay'), ...options });

  /** What this context publishes from now on: call before the `when`, read after it. */
  const publishedFromNow = () => recordedFromNow(bus, published);

  return { store, service, publishedFromNow };
}
type PaymentContext = ReturnType<typeof aPaymentContext>;

const placed = (total = 9000) => anEvent('order.placed', { orderId: ORDER_ID, total });
const cancelled = (paymentId?: string) =>
  anEvent('order.cancelled', { orderId: ORDER_ID, reason: 'CUSTOMER_REQUEST', ...(paymentId !== undefined ? { paymentId } : {}) });

async function anApprovedPayment(ctx: PaymentContext): Promise<void> {
  await ctx.service.chargeOnOrderPlaced(placed(9000));
}

describe('PaymentService', () => {
  describe('chargeOnOrderPlaced', () => {
    it('given a total within the limit, when order.placed arrives, then the payment is APPROVED and payment.approved is published, caused by it', async () => {
      // given
      const ctx = aPaymentContext();
      const event = placed(9000);
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.chargeOnOrderPlaced(event);

      // then
      expect(await ctx.service.getPayment(ORDER_ID)).toMatchObject({ status: 'APPROVED', paymentId: 'pay-1', amount: 9000, currency: 'EUR' });
      expect(await published()).toEqual([
        expect.objectContaining({
          type: 'payment.approved',
          source: 'payment',
          correlationId: event.correlationId,
          causationId: event.id,
          data: { orderId: ORDER_ID, paymentId: 'pay-1', amount: 9000, currency: 'EUR' },
        }),
      ]);
    });

    it('given a total exactly at the default limit, when order.placed arrives, then the payment is APPROVED', async () => {
      // given
      const ctx = aPaymentContext();
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.chargeOnOrderPlaced(placed(DEFAULT_PAYMENT_LIMIT));

      // then
      expect(await ctx.service.getPayment(ORDER_ID)).toMatchObject({ status: 'APPROVED', amount: DEFAULT_PAYMENT_LIMIT });
      expect((await published()).map((e) => e.type)).toEqual(['payment.approved']);
    });

    it('given a total one cent above the default limit, when order.placed arrives, then the payment is DECLINED and payment.declined is published', async () => {
      // given
      const ctx = aPaymentContext();
      const event = placed(DEFAULT_PAYMENT_LIMIT + 1);
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.chargeOnOrderPlaced(event);

      // then
      expect(await ctx.service.getPayment(ORDER_ID)).toMatchObject({ status: 'DECLINED', declineReason: 'AMOUNT_EXCEEDS_LIMIT' });
      expect(await published()).toEqual([
        expect.objectContaining({ type: 'payment.declined', causationId: event.id, data: { orderId: ORDER_ID, reason: 'AMOUNT_EXCEEDS_LIMIT' } }),
      ]);
    });

    it('given a configured limit, when order.placed arrives with a total above it, then the payment is DECLINED', async () => {
      // given
      const ctx = aPaymentContext({ limit: 5000 });
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.chargeOnOrderPlaced(placed(9000));

      // then
      expect(await ctx.service.getPayment(ORDER_ID)).toMatchObject({ status: 'DECLINED' });
      expect((await published()).map((e) => e.type)).toEqual(['payment.declined']);
    });

    it('given an approved payment, when the same order.placed is delivered again, then nothing more is charged or published', async () => {
      // given
      const ctx = aPaymentContext();
      const event = placed(9000);
      await ctx.service.chargeOnOrderPlaced(event);
      const payment = await ctx.service.getPayment(ORDER_ID);
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.chargeOnOrderPlaced(event);

      // then
      expect(await ctx.service.getPayment(ORDER_ID)).toEqual(payment);
      expect(await published()).toEqual([]);
    });

    it('given an approved payment, when a second order.placed for the same order arrives, then the order is charged only once', async () => {
      // given
      const ctx = aPaymentContext();
      await ctx.service.chargeOnOrderPlaced(placed(9000));
      const payment = await ctx.service.getPayment(ORDER_ID);
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.chargeOnOrderPlaced(placed(9000));

      // then
      expect(await ctx.service.getPayment(ORDER_ID)).toEqual(payment);
      expect(await published()).toEqual([]);
    });

    it('given two deliveries of order.placed handled at the same time, when both finish, then the order is charged only once', async () => {
      // given
      const ctx = aPaymentContext();
      const published = await ctx.publishedFromNow();

      // when
      await Promise.all([ctx.service.chargeOnOrderPlaced(placed(9000)), ctx.service.chargeOnOrderPlaced(placed(9000))]);

      // then
      expect(await ctx.service.getPayment(ORDER_ID)).toMatchObject({ status: 'APPROVED' });
      expect((await published()).map((e) => e.type)).toEqual(['payment.approved']);
    });
  });

  describe('refundOnOrderCancelled', () => {
    it('given an approved payment, when order.cancelled arrives with the paymentId, then it is REFUNDED and payment.refunded is published', async () => {
      // given
      const ctx = aPaymentContext();
      await anApprovedPayment(ctx);
      const event = cancelled('pay-1');
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.refundOnOrderCancelled(event);

      // then
      expect(await ctx.service.getPayment(ORDER_ID)).toMatchObject({ status: 'REFUNDED', paymentId: 'pay-1' });
      expect(await published()).toEqual([
        expect.objectContaining({
          type: 'payment.refunded',
          causationId: event.id,
          data: { orderId: ORDER_ID, paymentId: 'pay-1', amount: 9000, currency: 'EUR' },
        }),
      ]);
    });

    it('given an approval that crossed the cancellation, when order.cancelled arrives without a paymentId, then the payment is still REFUNDED', async () => {
      // given
      const ctx = aPaymentContext();
      await anApprovedPayment(ctx);
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.refundOnOrderCancelled(cancelled());

      // then
      expect(await ctx.service.getPayment(ORDER_ID)).toMatchObject({ status: 'REFUNDED' });
      expect((await published()).map((e) => e.type)).toEqual(['payment.refunded']);
    });

    it('given a refunded payment, when order.cancelled arrives again, then nothing more is refunded or published', async () => {
      // given
      const ctx = aPaymentContext();
      await anApprovedPayment(ctx);
      await ctx.service.refundOnOrderCancelled(cancelled('pay-1'));
      const refunded = await ctx.service.getPayment(ORDER_ID);
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.refundOnOrderCancelled(cancelled('pay-1'));

      // then
      expect(await ctx.service.getPayment(ORDER_ID)).toEqual(refunded);
      expect(await published()).toEqual([]);
    });

    it('given a declined payment, when order.cancelled arrives, then nothing is refunded and it stays DECLINED', async () => {
      // given
      const ctx = aPaymentContext();
      await ctx.service.chargeOnOrderPlaced(placed(DEFAULT_PAYMENT_LIMIT + 1));
      const declined = await ctx.service.getPayment(ORDER_ID);
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.refundOnOrderCancelled(anEvent('order.cancelled', { orderId: ORDER_ID, reason: 'PAYMENT_DECLINED' }));

      // then
      expect(await ctx.service.getPayment(ORDER_ID)).toEqual(declined);
      expect(await published()).toEqual([]);
    });

    it('given an order Payment has not seen placed, when order.cancelled arrives, then the payment is VOIDED and nothing is published', async () => {
      // given
      const ctx = aPaymentContext();
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.refundOnOrderCancelled(cancelled());

      // then
      expect(await ctx.service.getPayment(ORDER_ID)).toMatchObject({ status: 'VOIDED', amount: 0 });
      expect(await published()).toEqual([]);
    });

    it('given a voided payment, when order.cancelled arrives again, then it stays VOIDED and nothing is published', async () => {
      // given
      const ctx = aPaymentContext();
      await ctx.service.refundOnOrderCancelled(cancelled());
      const voided = await ctx.service.getPayment(ORDER_ID);
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.refundOnOrderCancelled(cancelled());

      // then
      expect(await ctx.service.getPayment(ORDER_ID)).toEqual(voided);
      expect(await published()).toEqual([]);
    });

    it('given a cancellation that arrived before the order was placed, when the late order.placed arrives, then nothing is charged', async () => {
      // given
      const ctx = aPaymentContext();
      await ctx.service.refundOnOrderCancelled(cancelled());
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.chargeOnOrderPlaced(placed(9000));

      // then
      expect(await ctx.service.getPayment(ORDER_ID)).toMatchObject({ status: 'VOIDED', amount: 0 });
      expect(await published()).toEqual([]);
    });
  });

  describe('getPayment', () => {
    it('given an order Payment knows nothing about, when read, then there is no payment', async () => {
      // given
      const ctx = aPaymentContext();

      // when
      const payment = await ctx.service.getPayment('no-such-order');

      // then
      expect(payment).toBeUndefined();
    });
  });
});
