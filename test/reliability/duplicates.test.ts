/**
 * Scenario 2, every delivery duplicated: each SQS batch is handed to its function twice at the
 * same time, and each stream batch again after it succeeded. Consumers are idempotent on the
 * envelope id (the inbox item written in the state change's transaction), so the outcome is the
 * scenario 1 outcome: no second payment, refund, reservation or release.
 */
import { reportFigures, scenarioSize } from './support/figures';
import { expectedOutcomes, runOrderLoad } from './support/order-load';
import { loadFigures, scenarioStart } from './support/scenario-report';
import { startScenarioCloud, type ScenarioCloud } from './support/scenario-cloud';

const ORDERS = scenarioSize(1000);

describe('reliability: every delivery duplicated', () => {
  let env: ScenarioCloud;
  beforeAll(async () => {
    env = await startScenarioCloud({ plan: { duplicateDeliveries: true, replayStreamBatches: true } });
  }, 120_000);
  afterAll(() => env?.stop());

  it(`${ORDERS} mixed orders, each SQS message and stream record delivered twice: no effect applied twice`, async () => {
    // given
    const start = scenarioStart(env);
    // when
    const run = await runOrderLoad(env, { orders: ORDERS, concurrency: 10, settleTimeoutMs: 300_000 });
    // then
    const figures = await loadFigures('2 every delivery duplicated', env, run, start);
    reportFigures(figures);
    expect(env.faults.faults.duplicateDelivery).toBeGreaterThan(0);
    expect(env.faults.faults.streamReplay).toBeGreaterThan(0);
    expect(run.report.findings.slice(0, 20)).toEqual([]);
    expect(run.report.outcomes).toEqual(expectedOutcomes(ORDERS));
    expect(figures.dlqArrivals).toBe(0);
  }, 900_000);
});
