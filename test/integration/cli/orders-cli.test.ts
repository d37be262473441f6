/**
 * The orders CLI in its own process against a real HTTP server: the in-memory system behind the
 * local cloud's HTTP bridge on 127.0.0.1. What a user sees: the printed lines and exit codes.
 */
import { createServer } from 'node:net';
import { eventually } from '../../support/waiting';
import { runCli, startCli } from './support/cli-process';
import { startInMemoryApi, type InMemoryApi } from './support/in-memory-api';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A line of the live timeline, as the demo prints it: `   +32ms  order     order.paid                ← payment.approved`. */
const TIMELINE_LINE = (context: string, type: string, cause: string) => new RegExp(`^ *\\+\\d+ms  ${escape(`${context.padEnd(9)} ${type.padEnd(25)} ← ${cause}`)}$`);

describe('orders CLI against the Order API', () => {
  let api: InMemoryApi;
  let url: string;

  beforeAll(async () => {
    api = await startInMemoryApi();
    url = api.url;
  });
  afterAll(() => api?.stop());

  /** Places an order straight through the API (setup, not under test). */
  async function placeOrder(lines: { sku: string; quantity: number; unitPrice: number }[]): Promise<string> {
    const response = await fetch(`${url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customerId: 'setup', lines }) });
    expect(response.status).toBe(201);
    return ((await response.json()) as { orderId: string }).orderId;
  }

  async function statusOf(orderId: string): Promise<string> {
    return ((await (await fetch(`${url}/orders/${orderId}`)).json()) as { status: string }).status;
  }

  async function untilStatus(orderId: string, status: string): Promise<void> {
    await eventually(async () => ((await statusOf(orderId)) === status ? true : undefined), { timeoutMs: 10_000, intervalMs: 20, what: `order ${orderId} to be ${status}` });
  }

  it('places an order, shows it, and watches its timeline live until STOCK_RESERVED', async () => {
    // given Inventory holds back the reservation until the watch has shown the payment
    api.system.bus.pause('inventory:order.paid');
    try {
      // when an order is placed
      const placed = await runCli(['place', '--customer', 'alice', '--line', 'BOOK-DDD:2:4500', '--line', 'MUG-EVENTS:1:1200', '--api-url', url]);
      // then
      expect(placed.code).toBe(0);
      const orderId = /^order (\S+) placed: PLACED, total 102\.00 EUR$/.exec(placed.lines[0] ?? '')?.[1];
      expect(orderId).toBeDefined();
      expect(placed.lines[1]).toBe(`follow it with: orders watch ${orderId}`);

      // when it is shown
      await untilStatus(orderId as string, 'PAID');
      const shown = await runCli(['get', orderId as string, '--api-url', url]);
      // then
      expect(shown.code).toBe(0);
      expect(shown.lines.slice(0, 5)).toEqual([
        `order ${orderId}: PAID`,
        '  customer    alice',
        '  total       102.00 EUR',
        '  lines       2 × BOOK-DDD at 45.00',
        '              1 × MUG-EVENTS at 12.00',
      ]);

      // when it is watched until its stock is reserved
      const watch = startCli(['watch', orderId as string, '--until', 'STOCK_RESERVED', '--interval', '50', '--api-url', url]);
      // then the events so far are printed while the order is still on its way
      await eventually(() => (watch.lines().length >= 3 ? true : undefined), { timeoutMs: 15_000, intervalMs: 20, what: 'the watch to print the payment' });
      expect(watch.lines()).toEqual([
        expect.stringMatching(TIMELINE_LINE('order', 'order.placed', 'request')),
        expect.stringMatching(TIMELINE_LINE('payment', 'payment.approved', 'order.placed')),
        expect.stringMatching(TIMELINE_LINE('order', 'order.paid', 'payment.approved')),
      ]);
      expect(watch.stderr()).toContain(`watching order ${orderId} until it reaches STOCK_RESERVED`);

      // when Inventory reserves the stock
      api.system.bus.resume('inventory:order.paid');
      // then the reservation is printed too, once, and the watch ends well
      expect(await watch.exited).toBe(0);
      expect(watch.lines()).toEqual([
        expect.stringMatching(TIMELINE_LINE('order', 'order.placed', 'request')),
        expect.stringMatching(TIMELINE_LINE('payment', 'payment.approved', 'order.placed')),
        expect.stringMatching(TIMELINE_LINE('order', 'order.paid', 'payment.approved')),
        expect.stringMatching(TIMELINE_LINE('inventory', 'stock.reserved', 'order.paid')),
        `✔ order ${orderId} is STOCK_RESERVED`,
      ]);
      expect(watch.lines()[0]).toMatch(/^ +\+0ms /);
    } finally {
      api.system.bus.resume('inventory:order.paid');
    }
  }, 60_000);

  it('given --json, prints the placed order and every watched event as JSON', async () => {
    // when
    const placed = await runCli(['place', '--customer', 'carol', '--line', 'SOLD-OUT:1:999', '--json', '--api-url', url]);
    const order = JSON.parse(placed.stdout) as { orderId: string; status: string; total: number; currency: string };
    const watched = await runCli(['watch', order.orderId, '--json', '--interval', '50', '--api-url', url]);
    // then
    expect(placed.code).toBe(0);
    expect(order).toMatchObject({ status: 'PLACED', total: 999, currency: 'EUR' });
    expect(watched.code).toBe(0);
    const objects = watched.lines.map((line) => JSON.parse(line) as { kind: string; cause?: string; event?: { type: string }; outcome?: string; order?: { status: string } });
    expect(objects.filter((o) => o.kind === 'event').map((o) => `${o.event?.type} ← ${o.cause}`)).toEqual([
      'order.placed ← request',
      'payment.approved ← order.placed',
      'order.paid ← payment.approved',
      'stock.reservation-failed ← order.paid',
      'order.cancelled ← stock.reservation-failed',
      'payment.refunded ← order.cancelled',
    ]);
    expect(objects.at(-1)).toMatchObject({ kind: 'result', outcome: 'settled', ok: true, order: { status: 'CANCELLED', cancellationReason: 'OUT_OF_STOCK' } });
    expect(watched.stderr).toBe('');
  }, 30_000);

  it('given the same --idempotency-key twice, answers the first order instead of placing a second', async () => {
    const args = ['place', '--customer', 'dave', '--line', 'STICKER-SAGA:3:300', '--idempotency-key', `key-${Date.now()}`, '--json', '--api-url', url];
    const [first, second] = [await runCli(args), await runCli(args)];
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    expect((JSON.parse(second.stdout) as { orderId: string }).orderId).toBe((JSON.parse(first.stdout) as { orderId: string }).orderId);
  }, 30_000);

  it('watching until STOCK_RESERVED an order that runs out of stock prints all it went through, refund included, and exits 1', async () => {
    // given
    const orderId = await placeOrder([{ sku: 'SOLD-OUT', quantity: 1, unitPrice: 999 }]);
    // when
    const watched = await runCli(['watch', orderId, '--until', 'STOCK_RESERVED', '--interval', '50', '--api-url', url]);
    // then
    expect(watched.code).toBe(1);
    expect(watched.lines).toEqual([
      expect.stringMatching(TIMELINE_LINE('order', 'order.placed', 'request')),
      expect.stringMatching(TIMELINE_LINE('payment', 'payment.approved', 'order.placed')),
      expect.stringMatching(TIMELINE_LINE('order', 'order.paid', 'payment.approved')),
      expect.stringMatching(TIMELINE_LINE('inventory', 'stock.reservation-failed', 'order.paid')),
      expect.stringMatching(TIMELINE_LINE('order', 'order.cancelled', 'stock.reservation-failed')),
      expect.stringMatching(TIMELINE_LINE('payment', 'payment.refunded', 'order.cancelled')),
      `✘ order ${orderId} ended CANCELLED (OUT_OF_STOCK), not STOCK_RESERVED`,
    ]);
  }, 30_000);

  it('a paid order cancelled by its customer: cancel exits 0, and the watch waits for the refund', async () => {
    // given an order held at PAID
    api.system.bus.pause('inventory:order.paid');
    try {
      const orderId = await placeOrder([{ sku: 'BOOK-DDD', quantity: 1, unitPrice: 4500 }]);
      await untilStatus(orderId, 'PAID');
      // when
      const cancelled = await runCli(['cancel', orderId, '--api-url', url]);
      const watched = await runCli(['watch', orderId, '--interval', '50', '--api-url', url]);
      // then
      expect(cancelled.code).toBe(0);
      expect(cancelled.lines).toEqual([`order ${orderId} is CANCELLED (CUSTOMER_REQUEST)`]);
      expect(watched.code).toBe(0);
      expect(watched.lines.slice(-3)).toEqual([
        expect.stringMatching(TIMELINE_LINE('order', 'order.cancelled', 'request')),
        expect.stringMatching(TIMELINE_LINE('payment', 'payment.refunded', 'order.cancelled')),
        `✔ order ${orderId} is CANCELLED (CUSTOMER_REQUEST)`,
      ]);
    } finally {
      api.system.bus.resume('inventory:order.paid');
    }
  }, 30_000);

  it('watching an order that does not settle in time says so and exits 1', async () => {
    api.system.bus.pause('inventory:order.paid');
    try {
      // given
      const orderId = await placeOrder([{ sku: 'BOOK-DDD', quantity: 1, unitPrice: 4500 }]);
      // when
      const watched = await runCli(['watch', orderId, '--until', 'STOCK_RESERVED', '--timeout', '1', '--interval', '50', '--api-url', url]);
      // then
      expect(watched.code).toBe(1);
      expect(watched.lines.at(-1)).toBe(`✘ timed out after 1 s: order ${orderId} is PAID, it has not reached STOCK_RESERVED`);
      expect(watched.lines.some((line) => line.includes('stock.reserved'))).toBe(false);
    } finally {
      api.system.bus.resume('inventory:order.paid');
    }
  }, 30_000);

  it("cancelling an order whose stock is reserved fails with the API's 409 message and exit code 1", async () => {
    // given
    const orderId = await placeOrder([{ sku: 'BOOK-DDD', quantity: 1, unitPrice: 4500 }]);
    await untilStatus(orderId, 'STOCK_RESERVED');
    // when
    const cancelled = await runCli(['cancel', orderId, '--api-url', url]);
    // then
    expect(cancelled.code).toBe(1);
    expect(cancelled.stdout).toBe('');
    expect(cancelled.stderr.trim()).toBe(
      `orders cancel: POST /orders/${orderId}/cancel answered 409 TRANSITION_REJECTED: cannot cancel order ${orderId}: it is STOCK_RESERVED`,
    );
  }, 30_000);

  it('API errors exit 1 with what the API said: an unknown order, an order the API refuses', async () => {
    // when
    const unknown = await runCli(['get', 'no-such-order', '--api-url', url]);
    const refused = await runCli(['place', '--customer', 'erin', '--line', 'lower-case:1:100', '--json', '--api-url', url]);
    // then
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^orders get: GET \/orders\/no-such-order answered 404 ORDER_NOT_FOUND: .*no-such-order/);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stderr)).toEqual({
      error: { status: 400, code: 'VALIDATION_FAILED', message: expect.stringContaining('lines[0].sku must be 1-64 upper-case letters, digits or dashes') },
    });
  }, 30_000);

  it.each([
    [['ship', 'order-1'], 'orders: unknown command "ship"'],
    [['place', '--customer', 'frank', '--api-url', 'URL'], 'orders place: at least one --line SKU:QTY:PRICE is required'],
    [['watch', '--api-url', 'URL'], 'orders watch: ORDER_ID is required'],
    [['get', 'order-1', '--verbose', '--api-url', 'URL'], 'orders get: unknown option --verbose'],
  ])('usage error %j: says what is wrong and exits 2', async (args, message) => {
    // when
    const result = await runCli(args.map((a) => (a === 'URL' ? url : a)));
    // then
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[0]).toBe(message);
  }, 30_000);

  it('finds the API through ORDERS_API_URL, and the bin entry runs the same CLI', async () => {
    // given
    const orderId = await placeOrder([{ sku: 'MUG-EVENTS', quantity: 1, unitPrice: 1200 }]);
    // when
    const viaEnv = await runCli(['get', orderId], { env: { ORDERS_API_URL: url } });
    const viaBin = await runCli(['get', orderId, '--json', '--api-url', url], { entry: 'cli/bin/orders.js' });
    // then
    expect(viaEnv.code).toBe(0);
    expect(viaEnv.lines[0]).toMatch(new RegExp(`^order ${orderId}: `));
    expect(viaBin.code).toBe(0);
    expect(JSON.parse(viaBin.stdout)).toMatchObject({ orderId, customerId: 'setup' });
  }, 30_000);

  it('given an API nobody answers on, exits 1 naming the URL and where it came from', async () => {
    // given a port that was free a moment ago
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as { port: number };
        server.close(() => resolve(free));
      });
    });
    // when
    const result = await runCli(['get', 'order-1'], { env: { ORDERS_API_URL: `http://127.0.0.1:${port}` } });
    // then
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^orders get: cannot reach the Order API at http://127\\.0\\.0\\.1:${port} \\(from ORDERS_API_URL\\): .*ECONNREFUSED`));
  }, 30_000);
});
