import { AMOUNT_EXCEEDS_LIMIT, Payment, type ChargeRequest, type PaymentState } from '../../../lambdas/payment/domain/payment';

const CHARGED_AT = new Date('2026-01-01T12:00:00.000Z');
const LATER = new Date('2026-01-01T12:05:00.000Z');
const LIMIT = 100_000;

function aChargeRequest(overrides: Partial<ChargeRequest> = {}): ChargeRequest {
  return { orderId: 'order-1', amount: 9000, currency: 'EUR', paymentId: 'pay_1', limit: LIMIT, now: CHARGED_AT, ...overrides };
}

/** As loaded from storage: the decision is committed, nothing pending. */
function anApprovedPayment(): Payment {
  const payment = Payment.charge(aChargeRequest());
  payment.markCommitted(1);
  return payment;
}

function aDeclinedPayment(): Payment {
  const payment = Payment.charge(aChargeRequest({ amount: LIMIT + 1 }));
  payment.markCommitted(1);
  return payment;
}

function aRefundedPayment(): Payment {
  const payment = anApprovedPayment();
  payment.refund(CHARGED_AT);
  payment.markCommitted(2);
  return payment;
}

function aVoidedPayment(): Payment {
  const payment = Payment.void('order-1', CHARGED_AT);
  payment.markCommitted(1);
  return payment;
}

function expectUnchanged(payment: Payment, before: { state: PaymentState; version: number }): void {
  expect(payment.state).toEqual(before.state);
  expect(payment.version).toBe(before.version);
  expect(payment.pendingEvents).toEqual([]);
  expect(payment.hasChanges).toBe(false);
}

describe('Payment', () => {
  describe('charge', () => {
    it('given a total below the limit, when charged, then it is APPROVED with the paymentId and records payment.approved', () => {
      // given
      const request = aChargeRequest({ amount: 9000 });

      // when
      const payment = Payment.charge(request);

      // then
      expect(payment.status).toBe('APPROVED');
      expect(payment.id).toBe('order-1');
      expect(payment.state).toEqual({
        orderId: 'order-1',
        status: 'APPROVED',
        paymentId: 'pay_1',
        amount: 9000,
        currency: 'EUR',
        updatedAt: CHARGED_AT.toISOString(),
      });
      expect(payment.pendingEvents).toEqual([
        { type: 'payment.approved', data: { orderId: 'order-1', paymentId: 'pay_1', amount: 9000, currency: 'EUR' } },
      ]);
      expect(payment.hasChanges).toBe(true);
      expect(payment.version).toBe(0);
    });

    it('given a total exactly at the limit, when charged, then it is APPROVED', () => {
      // given
      const request = aChargeRequest({ amount: LIMIT });

      // when
      const payment = Payment.charge(request);

      // then
      expect(payment.status).toBe('APPROVED');
      expect(payment.pendingEvents).toEqual([
        { type: 'payment.approved', data: { orderId: 'order-1', paymentId: 'pay_1', amount: LIMIT, currency: 'EUR' } },
      ]);
    });

    it('given a total one cent above the limit, when charged, then it is DECLINED for AMOUNT_EXCEEDS_LIMIT, takes no paymentId, and records payment.declined', () => {
      // given
      const request = aChargeRequest({ amount: LIMIT + 1 });

      // when
      const payment = Payment.charge(request);

      // then
      expect(payment.status).toBe('DECLINED');
      expect(payment.state.declineReason).toBe(AMOUNT_EXCEEDS_LIMIT);
      expect(payment.state.paymentId).toBeUndefined();
      expect(payment.pendingEvents).toEqual([{ type: 'payment.declined', data: { orderId: 'order-1', reason: 'AMOUNT_EXCEEDS_LIMIT' } }]);
      expect(payment.hasChanges).toBe(true);
    });

    it('given a lower limit, when charged a total above it, then it is DECLINED', () => {
      // given
      const request = aChargeRequest({ amount: 9000, limit: 5000 });

      // when
      const payment = Payment.charge(request);

      // then
      expect(payment.status).toBe('DECLINED');
    });
  });

  describe('refund', () => {
    it('given an APPROVED payment, when refunded, then it is REFUNDED and records payment.refunded with the amount taken', () => {
      // given
      const payment = anApprovedPayment();

      // when
      payment.refund(LATER);

      // then
      expect(payment.status).toBe('REFUNDED');
      expect(payment.state.paymentId).toBe('pay_1');
      expect(payment.state.updatedAt).toBe(LATER.toISOString());
      expect(payment.pendingEvents).toEqual([
        { type: 'payment.refunded', data: { orderId: 'order-1', paymentId: 'pay_1', amount: 9000, currency: 'EUR' } },
      ]);
      expect(payment.hasChanges).toBe(true);
    });

    it.each<[string, () => Payment]>([
      ['REFUNDED', aRefundedPayment],
      ['DECLINED', aDeclinedPayment],
      ['VOIDED', aVoidedPayment],
    ])('given a %s payment, when refunded, then nothing changes and nothing is recorded', (status, given) => {
      // given
      const payment = given();
      const before = { state: payment.state, version: payment.version };

      // when
      payment.refund(LATER);

      // then
      expect(payment.status).toBe(status);
      expectUnchanged(payment, before);
    });
  });

  describe('void', () => {
    it('given an order never seen placed, when voided, then it is VOIDED with nothing taken, records no event, and has changes to store', () => {
      // given
      const orderId = 'order-1';

      // when
      const payment = Payment.void(orderId, CHARGED_AT);

      // then
      expect(payment.status).toBe('VOIDED');
      expect(payment.id).toBe(orderId);
      expect(payment.state.amount).toBe(0);
      expect(payment.state.paymentId).toBeUndefined();
      expect(payment.pendingEvents).toEqual([]);
      expect(payment.hasChanges).toBe(true);
      expect(payment.version).toBe(0);
    });
  });

  describe('restore', () => {
    it('given a stored state, when restored, then it has that state and version and nothing pending', () => {
      // given
      const stored = anApprovedPayment().state;

      // when
      const payment = Payment.restore(stored, 3);

      // then
      expect(payment.state).toEqual(stored);
      expect(payment.version).toBe(3);
      expect(payment.pendingEvents).toEqual([]);
      expect(payment.hasChanges).toBe(false);
    });
  });
});
