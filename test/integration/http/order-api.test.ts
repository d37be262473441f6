/** The Order HTTP API handler over the real services on the in-memory bus: each route and each error. */
import { createOrderApi, MAX_BODY_BYTES } from '../../../lambdas/order/infrastructure/http-api';
import { createInMemorySystem, type InMemorySystem } from '../../../local/in-memory/system';
import { OrderService } from '../../../lambdas/order/application/order-service';
import { StoredOrderRepository } from '../../../lambdas/order/infrastructure/stored-order-repository';
import { InMemoryStore } from '../../../lambdas/shared/infrastructure/in-memory-store';
import { ConcurrencyError } from '../../../lambdas/shared/application/errors';
import { answer, httpEvent } from '../../support/http-events';
import { fixedClock } from '../../support/factories';

const VALID = { customerId: 'alice', lines: [{ sku: 'BOOK-DDD', quantity: 2, unitPrice: 4500 }] };

describe('Order HTTP API', () => {
  let system: InMemorySystem;
  let api: ReturnType<typeof createOrderApi>;

  beforeEach(async () => {
    system = await createInMemorySystem();
    api = createOrderApi(system.orders);
  });

  const call = async (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    answer(await api(httpEvent(method, path, body, headers)));

  /** How many events any context ever committed: "nothing written" means 0. */
  const written = () => system.stores.order.committedEvents.length;

  describe('POST /orders', () => {
    it('places an order: 201 with the order PLACED, its total in cents, and its location', async () => {
      // when
      const result = await api(httpEvent('POST', '/orders', { ...VALID, currency: 'USD' }));
      // then
      const { status, body } = answer(result);
      expect(status).toBe(201);
      expect(body).toMatchObject({ status: 'PLACED', total: 9000, currency: 'USD', customerId: 'alice' });
      expect(result.headers?.Location).toBe(`/orders/${String(body.orderId)}`);
    });

    it('starts the order\'s correlation from the x-correlation-id header when one is given', async () => {
      const { body } = await call('POST', '/orders', VALID, { 'x-correlation-id': 'trace-123' });
      expect(body.correlationId).toBe('trace-123');
    });

    it('places one order for a request retried with the same Idempotency-Key', async () => {
      // given
      const first = await call('POST', '/orders', VALID, { 'idempotency-key': 'checkout-42' });
      // when
      const retry = await call('POST', '/orders', VALID, { 'idempotency-key': 'checkout-42' });
      // then
      expect(retry.status).toBe(201);
      expect(retry.body.orderId).toBe(first.body.orderId);
      expect(written()).toBe(1);
    });

    it('scopes an Idempotency-Key to its customer: another customer with the same key gets an order of its own', async () => {
      // given
      const alice = await call('POST', '/orders', VALID, { 'idempotency-key': 'checkout-1' });
      // when
      const bob = await call('POST', '/orders', { ...VALID, customerId: 'bob' }, { 'idempotency-key': 'checkout-1' });
      // then
      expect(bob.status).toBe(201);
      expect(bob.body.orderId).not.toBe(alice.body.orderId);
      expect(bob.body.customerId).toBe('bob');
      expect(written()).toBe(2);
    });

    it.each([
      ['a missing customerId', { lines: VALID.lines }, 'customerId', 'is required'],
      ['no lines', { ...VALID, lines: [] }, 'lines', 'must have at least 1 item(s)'],
      ['a fractional price', { ...VALID, lines: [{ sku: 'BOOK-DDD', quantity: 1, unitPrice: 12.5 }] }, 'lines[0].unitPrice', 'must be an integer'],
      ['a negative price', { ...VALID, lines: [{ sku: 'BOOK-DDD', quantity: 1, unitPrice: -1 }] }, 'lines[0].unitPrice', 'must be >= 0'],
      ['a zero quantity', { ...VALID, lines: [{ sku: 'BOOK-DDD', quantity: 0, unitPrice: 1 }] }, 'lines[0].quantity', 'must be > 0'],
      ['a quantity as a string', { ...VALID, lines: [{ sku: 'BOOK-DDD', quantity: '2', unitPrice: 1 }] }, 'lines[0].quantity', 'must be a number'],
      ['a malformed SKU', { ...VALID, lines: [{ sku: "'; DROP TABLE orders;--", quantity: 1, unitPrice: 1 }] }, 'lines[0].sku', 'upper-case'],
      ['a bad currency', { ...VALID, currency: 'euro' }, 'currency', 'ISO 4217'],
      ['an unknown field', { ...VALID, discount: 100 }, '(root)', 'unknown field(s) discount'],
      ['an array body', [VALID], '(root)', 'must be an object'],
      ['an unknown field in a line', { ...VALID, lines: [{ ...VALID.lines[0], discount: 100 }] }, 'lines[0]', 'unknown field(s) discount'],
      ['a control character in the customerId', { ...VALID, customerId: 'ali\u0000ce' }, 'customerId', 'control characters'],
      ['an unpaired surrogate in the customerId', { ...VALID, customerId: 'ali\ud800ce' }, 'customerId', 'unpaired surrogates'],
      ['a three-letter currency that ISO 4217 does not have', { ...VALID, currency: 'XYZ' }, 'currency', 'ISO 4217'],
    ])('answers 400 naming the field for %s, and writes nothing', async (_, body, field, problem) => {
      // when
      const { status, body: error } = await call('POST', '/orders', body);
      // then
      expect(status).toBe(400);
      expect(error.error).toBe('VALIDATION_FAILED');
      expect(error.issues).toEqual(expect.arrayContaining([expect.objectContaining({ field, problem: expect.stringContaining(problem) })]));
      expect(written()).toBe(0);
    });

    it('answers 400 for a malformed Idempotency-Key instead of ignoring it (a retry would place a second order), and writes nothing', async () => {
      // when
      const { status, body } = await call('POST', '/orders', VALID, { 'idempotency-key': 'checkout 42' });
      // then
      expect(status).toBe(400);
      expect(body.issues).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
      expect(written()).toBe(0);
    });

    it('answers 400 for a body that is not JSON', async () => {
      const { status, body } = await call('POST', '/orders', '{"customerId": ');
      expect(status).toBe(400);
      expect(body.issues).toEqual([{ field: 'body', problem: 'is not valid JSON' }]);
      expect(written()).toBe(0);
    });

    it('answers 400 for a missing body', async () => {
      const { status, body } = await call('POST', '/orders');
      expect(status).toBe(400);
      expect(body.issues).toEqual([{ field: 'body', problem: 'is required (a JSON object)' }]);
    });

    it('answers 413 for a body over the size limit, without parsing it', async () => {
      const { status, body } = await call('POST', '/orders', `{"customerId":"${'x'.repeat(MAX_BODY_BYTES)}"}`);
      expect(status).toBe(413);
      expect(body.error).toBe('PAYLOAD_TOO_LARGE');
      expect(written()).toBe(0);
    });

    it('accepts a base64-encoded body, as API Gateway may send one', async () => {
      const event = httpEvent('POST', '/orders', Buffer.from(JSON.stringify(VALID)).toString('base64'));
      const { status } = answer(await api({ ...event, isBase64Encoded: true }));
      expect(status).toBe(201);
    });
  });

  describe('GET /orders/{orderId}', () => {
    it('answers 200 with the order\'s current state', async () => {
      // given
      const { body: placed } = await call('POST', '/orders', VALID);
      await system.bus.settled();
      // when
      const { status, body } = await call('GET', `/orders/${String(placed.orderId)}`);
      // then
      expect(status).toBe(200);
      expect(body).toMatchObject({ orderId: placed.orderId, status: 'STOCK_RESERVED', paymentId: expect.stringMatching(/^pay_/) });
    });

    it('answers 404 for an unknown order', async () => {
      const { status, body } = await call('GET', '/orders/no-such-order');
      expect(status).toBe(404);
      expect(body.error).toBe('ORDER_NOT_FOUND');
    });

    it('reads the order id as API Gateway decoded it, not decoding it again', async () => {
      // given: an order, and a client asking for the literal id "%<hex>…" (it sent %25<hex>…, which the gateway decoded once)
      const { body: placed } = await call('POST', '/orders', VALID);
      const orderId = String(placed.orderId);
      const encodedOnce = `%${orderId.charCodeAt(0).toString(16)}${orderId.slice(1)}`;
      // when
      const { status, body } = await call('GET', `/orders/${encodedOnce}`);
      // then: refused as an id that cannot be one, not answered with another order
      expect(status).toBe(400);
      expect(body.issues).toEqual([expect.objectContaining({ field: 'orderId' })]);
    });

    it('answers 400 for an order id that cannot be one', async () => {
      const { status, body } = await call('GET', `/orders/${'x'.repeat(200)}`);
      expect(status).toBe(400);
      expect(body.issues).toEqual([expect.objectContaining({ field: 'orderId' })]);
    });
  });

  describe('POST /orders/{orderId}/cancel', () => {
    it('answers 200 with the cancelled order while it can still be cancelled', async () => {
      // given: Payment has not answered yet
      system.bus.pause('payment:order.placed');
      const { body: placed } = await call('POST', '/orders', VALID);
      // when
      const { status, body } = await call('POST', `/orders/${String(placed.orderId)}/cancel`);
      // then
      expect(status).toBe(200);
      expect(body).toMatchObject({ status: 'CANCELLED', cancellationReason: 'CUSTOMER_REQUEST' });
    });

    it('answers 409 once the stock is reserved, and changes nothing', async () => {
      // given
      const { body: placed } = await call('POST', '/orders', VALID);
      await system.bus.settled();
      const before = written();
      // when
      const { status, body } = await call('POST', `/orders/${String(placed.orderId)}/cancel`);
      // then
      expect(status).toBe(409);
      expect(body.error).toBe('TRANSITION_REJECTED');
      expect(written()).toBe(before);
    });

    it('answers 404 for an unknown order', async () => {
      expect((await call('POST', '/orders/nope/cancel')).status).toBe(404);
    });

    it('answers 409 when concurrent writers keep winning the race', async () => {
      // given: a store whose every save loses an optimistic-concurrency race
      const store = new InMemoryStore({ source: 'order' });
      const repository = new StoredOrderRepository(store);
      const orders = new OrderService({ orders: repository, clock: () => new Date(), ids: (() => { let n = 0; return () => `id-${++n}`; })() });
      const placed = await orders.placeOrder(VALID);
      repository.save = async (order) => {
        throw new ConcurrencyError(order.id, order.version);
      };
      // when
      const { status, body } = answer(await createOrderApi(orders)(httpEvent('POST', `/orders/${placed.orderId}/cancel`)));
      // then
      expect(status).toBe(409);
      expect(body.error).toBe('CONCURRENT_UPDATE');
    });
  });

  describe('GET /orders/{orderId}/events', () => {
    it('answers 200 with the whole cross-context timeline, causes first', async () => {
      // given
      const { body: placed } = await call('POST', '/orders', VALID);
      await system.bus.settled();
      // when
      const { status, body } = await call('GET', `/orders/${String(placed.orderId)}/events`);
      // then
      expect(status).toBe(200);
      const events = body.events as { type: string; context: string; id: string; causationId: string }[];
      expect(events.map((e) => `${e.context}:${e.type}`)).toEqual([
        'order:order.placed',
        'payment:payment.approved',
        'order:order.paid',
        'inventory:stock.reserved',
      ]);
      expect(events.slice(1).map((e) => e.causationId)).toEqual(events.slice(0, -1).map((e) => e.id));
    });

    it('answers 404 for an unknown order', async () => {
      expect((await call('GET', '/orders/nope/events')).status).toBe(404);
    });
  });

  describe('GET /orders', () => {
    const clock = fixedClock();

    beforeEach(async () => {
      // A clock that only moves when told: the orders' placing times, and so their order, are certain.
      system = await createInMemorySystem({ clock });
      api = createOrderApi(system.orders);
    });

    /** Places an order a second after the one before. */
    const place = async (customerId: string) => {
      clock.advance(1000);
      return (await call('POST', '/orders', { ...VALID, customerId })).body;
    };

    /** A GET with a query string, as API Gateway sends it (raw, and parsed). */
    const list = async (query: Record<string, string> = {}) => {
      const event = httpEvent('GET', '/orders');
      const rawQueryString = new URLSearchParams(query).toString();
      return answer(await api({ ...event, rawQueryString, ...(rawQueryString ? { queryStringParameters: query } : {}) }));
    };

    it('answers 200 with the recent orders, newest first, each in its current state', async () => {
      // given
      const first = await place('alice');
      const second = await place('bob');
      await system.bus.settled();
      // when
      const { status, body } = await list();
      // then
      expect(status).toBe(200);
      const orders = body.orders as { orderId: string; status: string }[];
      expect(orders.map((o) => o.orderId)).toEqual([second.orderId, first.orderId]);
      expect(orders.map((o) => o.status)).toEqual(['STOCK_RESERVED', 'STOCK_RESERVED']);
    });

    it('answers at most `limit` orders', async () => {
      // given
      for (const customerId of ['a', 'b', 'c']) await place(customerId);
      // when
      const { status, body } = await list({ limit: '2' });
      // then
      expect(status).toBe(200);
      expect((body.orders as { customerId: string }[]).map((o) => o.customerId)).toEqual(['c', 'b']);
    });

    it('answers an empty list when there are no orders', async () => {
      const { status, body } = await list();
      expect(status).toBe(200);
      expect(body).toEqual({ orders: [] });
    });

    it.each(['0', '101', '-1', '2.5', 'ten', '', '5,6'])('answers 400 naming the field for limit=%s', async (limit) => {
      const { status, body } = await list({ limit });
      expect(status).toBe(400);
      expect(body.error).toBe('VALIDATION_FAILED');
      expect(body.issues).toEqual([{ field: 'limit', problem: 'must be a whole number from 1 to 100' }]);
    });
  });

  describe('the explorer page', () => {
    it('answers GET /explorer with the page as HTML, under a Content-Security-Policy that allows its own origin only', async () => {
      // when
      const result = await api(httpEvent('GET', '/explorer'));
      // then
      expect(result.statusCode).toBe(200);
      expect(result.headers?.['content-type']).toBe('text/html; charset=utf-8');
      expect(result.headers?.['content-security-policy']).toMatch(/default-src 'none'.*connect-src 'self'/);
      expect(result.headers?.['x-content-type-options']).toBe('nosniff');
      expect(result.body).toMatch(/^<!doctype html>/);
      expect(result.body).toContain('<h1>Event-flow explorer</h1>');
    });

    it('redirects GET / to the page, relatively, so that it works behind any base path', async () => {
      const result = await api(httpEvent('GET', '/'));
      expect(result.statusCode).toBe(302);
      expect(result.headers?.Location).toBe('explorer');
    });
  });

  it('answers 404 for an unknown route and 405 for a known path with another method', async () => {
    expect((await call('GET', '/customers')).status).toBe(404);
    const result = await api(httpEvent('DELETE', '/orders/abc'));
    expect(result.statusCode).toBe(405);
    expect(result.headers?.Allow).toBe('GET');
  });
});
