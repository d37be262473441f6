/**
 * Scenario 5, races: a customer cancels an order while Payment approves it, many times over,
 * with the cancel sent at a random moment after the order was placed (and, for one order in
 * four, only once its stock is reserved, when the cancel must be refused). The Order aggregate's
 * version check lets one of the two writes win; the other is retried against the new state.
 * Either the cancel is refused (the stock was already reserved) and the order ends reserved, or
 * it is accepted and the order ends cancelled with nothing kept: a payment approved in the
 * meantime is refunded, a payment not yet made is voided and never taken, stock is released.
 */
import type { OrderView } from '../../lambdas/order/application/order-view';
import type { PlacedOrder } from './support/audit';
import { eventually } from '../support/waiting';
import { reportFigures, scenarioSize } from './support/figures';
import { allFinal, auditTables, ORDER_MIX } from './support/order-load';
import { scenarioFigures, scenarioStart } from './support/scenario-report';
import { bounded, placeOrder, untilQuiet, type ScenarioCloud, startScenarioCloud } from './support/scenario-cloud';
import { seededRandom } from '../support/random';

const ORDERS = Math.max(30, Math.round(scenarioSize(1000) / 4));
/** The cancel goes out up to this long after the order was accepted: around when Payment approves it. */
const MAX_CANCEL_DELAY_MS = 500;
/** One order in this many is cancelled only once its stock is reserved: the cancel that must be refused. */
const LATE_CANCEL_EVERY = 4;

async function untilReserved(apiUrl: string, orderId: string): Promise<void> {
  await eventually(
    async () => {
      const order = (await (await fetch(`${apiUrl}/orders/${orderId}`)).json()) as OrderView;
      return order.status === 'STOCK_RESERVED' ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100, what: `order ${orderId} to be STOCK_RESERVED` },
  );
}

describe('reliability: cancel races payment.approved', () => {
  let env: ScenarioCloud;
  beforeAll(async () => {
    env = await startScenarioCloud();
  }, 120_000);
  afterAll(() => env?.stop());

  it(`${ORDERS} orders cancelled at a random moment: one side wins, and the final state always matches the timeline`, async () => {
    // given
    const random = seededRandom(env.seed);
    const happy = ORDER_MIX[0] as (typeof ORDER_MIX)[number];
    const start = scenarioStart(env);
    // when
    const placed = await bounded(ORDERS, 10, async (n): Promise<PlacedOrder & { cancel: number }> => {
      const order = await placeOrder(env.apiUrl, happy.request(n));
      if (n % LATE_CANCEL_EVERY === LATE_CANCEL_EVERY - 1) await untilReserved(env.apiUrl, order.orderId);
      else await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * MAX_CANCEL_DELAY_MS)));
      const response = await fetch(`${env.apiUrl}/orders/${order.orderId}/cancel`, { method: 'POST' });
      const body = (await response.json()) as OrderView;
      const expected =
        response.status === 200 ? ({ status: 'CANCELLED', cancellationReason: 'CUSTOMER_REQUEST' } as const) : response.status === 409 ? ({ status: 'STOCK_RESERVED' } as const) : undefined;
      if (!expected) throw new Error(`cancel of ${order.orderId} answered ${response.status}: ${JSON.stringify(body)}`);
      return { orderId: order.orderId, expected, cancel: response.status };
    });
    const ids = new Set(placed.map((p) => p.orderId));
    await untilQuiet(env, () => allFinal(env, ids), 300_000, `${ids.size} raced orders to settle`);
    // then
    const report = await auditTables(env, placed);
    const paymentStatus = (status: string) => report.payments[status] ?? 0;
    const figures = await scenarioFigures('5 races: cancel against payment.approved', env, start, {
      orders: placed.length,
      report,
      injectedFaults: { 'racing cancels': placed.length },
      details: {
        'cancel accepted': placed.filter((p) => p.cancel === 200).length,
        'cancel refused (already reserved)': placed.filter((p) => p.cancel === 409).length,
        'cancelled before payment (voided)': paymentStatus('VOIDED'),
        'cancelled after payment (refunded)': paymentStatus('REFUNDED'),
      },
    });
    reportFigures(figures);
    expect(report.findings.slice(0, 20)).toEqual([]);
    expect(await env.deadLetters()).toEqual({});
    // Every ending came up, or the scenario proved less than it says.
    expect(paymentStatus('REFUNDED')).toBeGreaterThan(0);
    expect(placed.filter((p) => p.cancel === 409).length).toBeGreaterThanOrEqual(Math.floor(ORDERS / LATE_CANCEL_EVERY));
  }, 900_000);
});
