/**
 * Scenario 1, load: a thousand orders (RELIABILITY_ORDERS) with bounded concurrency, a mix of
 * happy, declined and out-of-stock, on the local cloud with no fault injected. Every order
 * reaches its expected final status; nothing is lost, stuck, duplicated or inconsistent.
 */
import { reportFigures, scenarioSize } from './support/figures';
import { expectedOutcomes, runOrderLoad } from './support/order-load';
import { loadFigures, scenarioStart } from './support/scenario-report';
import { startScenarioCloud, type ScenarioCloud } from './support/scenario-cloud';

const ORDERS = scenarioSize(1000);

describe('reliability: load', () => {
  let env: ScenarioCloud;
  beforeAll(async () => {
    env = await startScenarioCloud();
  }, 120_000);
  afterAll(() => env?.stop());

  it(`${ORDERS} mixed orders all reach their expected final status: 0 lost, 0 stuck, 0 duplicated effects`, async () => {
    // given a quiet system
    const start = scenarioStart(env);
    // when
    const run = await runOrderLoad(env, { orders: ORDERS, concurrency: 10, settleTimeoutMs: 300_000 });
    // then
    const figures = await loadFigures('1 load', env, run, start);
    reportFigures(figures);
    expect(run.report.findings.slice(0, 20)).toEqual([]);
    expect(run.report.outcomes).toEqual(expectedOutcomes(ORDERS));
    expect(figures.dlqArrivals).toBe(0);
  }, 900_000);
});
