import { catalogue, EVENT_TYPES, eventsConsumedBy, eventsProducedBy } from '../../../lambdas/shared/events/catalogue';
import { createEnvelope, InvalidEventError, parseEnvelope, parseEnvelopeJson } from '../../../lambdas/shared/events/envelope';
import { anEvent, DEFAULT_DATA } from '../../support/factories';

function rejection(run: () => unknown): InvalidEventError {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidEventError) return error;
    throw error;
  }
  throw new Error('expected an InvalidEventError, but the input was accepted');
}

describe('event catalogue', () => {
  it('defines every event of the architecture, each produced by one context', () => {
    expect(EVENT_TYPES).toEqual([
      'order.placed',
      'order.paid',
      'order.cancelled',
      'payment.approved',
      'payment.declined',
      'payment.refunded',
      'stock.reserved',
      'stock.reservation-failed',
    ]);
    expect(eventsProducedBy('order')).toEqual(['order.placed', 'order.paid', 'order.cancelled']);
    expect(eventsProducedBy('payment')).toEqual(['payment.approved', 'payment.declined', 'payment.refunded']);
    expect(eventsProducedBy('inventory')).toEqual(['stock.reserved', 'stock.reservation-failed']);
  });

  it('says who consumes what', () => {
    expect(eventsConsumedBy('payment')).toEqual(['order.placed', 'order.cancelled']);
    expect(eventsConsumedBy('inventory')).toEqual(['order.paid', 'order.cancelled']);
    expect(eventsConsumedBy('order')).toEqual(['payment.approved', 'payment.declined', 'stock.reserved', 'stock.reservation-failed']);
  });

  it.each(EVENT_TYPES)('the default test data of %s satisfies its schema', (type) => {
    expect(catalogue[type].schema.safeParse(DEFAULT_DATA[type]).success).toBe(true);
  });
});

describe('createEnvelope', () => {
  const options = {
    id: 'evt-1',
    occurredAt: new Date('2026-01-01T00:00:00.000Z'),
    source: 'order' as const,
    aggregateId: 'order-1',
    trace: { correlationId: 'corr-1', causationId: 'req-1' },
  };

  it('wraps a domain event with its metadata and current version', () => {
    // when
    const envelope = createEnvelope({ type: 'order.placed', data: DEFAULT_DATA['order.placed'] }, options);
    // then
    expect(envelope).toEqual({
      id: 'evt-1',
      type: 'order.placed',
      version: 2,
      source: 'order',
      occurredAt: '2026-01-01T00:00:00.000Z',
      aggregateId: 'order-1',
      correlationId: 'corr-1',
      causationId: 'req-1',
      data: DEFAULT_DATA['order.placed'],
    });
  });

  it('refuses data that breaks the schema, before anything is written or sent', () => {
    const error = rejection(() =>
      createEnvelope({ type: 'payment.approved', data: { ...DEFAULT_DATA['payment.approved'], amount: 12.5 } }, { ...options, source: 'payment' }),
    );
    expect(error.reason).toBe('INVALID_DATA');
    expect(error.issues).toEqual([{ field: 'amount', problem: 'must be an integer' }]);
  });

  it('refuses an event published by a context that does not own it', () => {
    const error = rejection(() => createEnvelope({ type: 'payment.approved', data: DEFAULT_DATA['payment.approved'] }, options));
    expect(error.reason).toBe('INVALID_ENVELOPE');
    expect(error.message).toContain('produced by payment, not order');
  });
});

describe('parseEnvelope', () => {
  it('turns a valid message into a typed event', () => {
    // given
    const sent = anEvent('stock.reserved');
    // when
    const received = parseEnvelopeJson(JSON.stringify(sent));
    // then
    expect(received).toEqual(sent);
    if (received.type === 'stock.reserved') expect(received.data.reservationId).toBe('res_1');
  });

  it('upcasts an older version to the current one (order.placed v1 had no currency: euros)', () => {
    // given
    const { currency: _, ...v1Data } = DEFAULT_DATA['order.placed'];
    const v1 = { ...anEvent('order.placed'), version: 1, data: v1Data };
    // when
    const received = parseEnvelope(v1);
    // then
    expect(received.version).toBe(2);
    expect(received.data).toEqual({ ...v1Data, currency: 'EUR' });
  });

  it.each([
    ['malformed JSON', '{"id": ', 'MALFORMED'],
    ['an unknown type', JSON.stringify({ ...anEvent('order.paid'), type: 'order.shipped' }), 'UNKNOWN_TYPE'],
    ['a version newer than this code knows', JSON.stringify({ ...anEvent('order.paid'), version: 2 }), 'UNSUPPORTED_VERSION'],
    ['data that breaks the schema', JSON.stringify({ ...anEvent('order.paid'), data: { orderId: 'o' } }), 'INVALID_DATA'],
    ['missing metadata', JSON.stringify({ ...anEvent('order.paid'), correlationId: undefined }), 'INVALID_ENVELOPE'],
    ['not an object', '42', 'INVALID_ENVELOPE'],
  ])('refuses %s with a reason', (_, body, reason) => {
    const error = rejection(() => parseEnvelopeJson(body));
    expect(error.reason).toBe(reason);
  });

  it('names every field at fault in schema-invalid data', () => {
    // given
    const bad = { ...anEvent('order.placed'), data: { ...DEFAULT_DATA['order.placed'], total: -1, lines: [{ sku: 'x', quantity: 0, unitPrice: 1 }] } };
    // when
    const error = rejection(() => parseEnvelope(bad));
    // then
    expect(error.issues.map((i) => i.field)).toEqual(['data.lines[0].sku', 'data.lines[0].quantity', 'data.total']);
    expect(error.message).toContain('data.total must be >= 0');
  });
});
