/**
 * Scenario 4, injected failures: a fifth of the functions' SNS publishes and DynamoDB writes
 * answered with throttling or a 500 (half before the call reached the emulator, half after it
 * took effect), then functions that crash after their write, with deliveries delayed at random
 * so that they reorder across queues. Every event still reaches its consumers with its effect
 * applied once, every order settles, and no shard stays blocked.
 */
import { reportFigures, scenarioSize } from './support/figures';
import { expectedOutcomes, runOrderLoad } from './support/order-load';
import { loadFigures, scenarioStart } from './support/scenario-report';
import { startScenarioCloud, type ScenarioCloud } from './support/scenario-cloud';

const ORDERS = Math.max(30, Math.round(scenarioSize(1000) / 2));

describe('reliability: injected failures', () => {
  let env: ScenarioCloud;
  beforeAll(async () => {
    env = await startScenarioCloud();
  }, 120_000);
  afterAll(() => env?.stop());

  const streamsDiscarded = () => env.cloud.streamPollers.reduce((sum, poller) => sum + poller.counters.discarded, 0);

  it(`${ORDERS} orders with 20% of publishes and writes failing: every event published once to its consumers, no shard blocked`, async () => {
    // given
    const start = scenarioStart(env);
    env.faults.set({ sdkErrorShare: 0.2 });
    // when
    const run = await runOrderLoad(env, { orders: ORDERS, concurrency: 10, settleTimeoutMs: 300_000 });
    env.faults.set({});
    // then
    const figures = await loadFigures('4 20% publish and write failures', env, run, start, { details: { 'stream records given up': streamsDiscarded() } });
    reportFigures(figures);
    expect(env.faults.faults.throttledBefore + env.faults.faults.serverErrorBefore).toBeGreaterThan(0);
    expect(env.faults.faults.throttledAfter + env.faults.faults.serverErrorAfter).toBeGreaterThan(0);
    expect(run.report.findings.slice(0, 20)).toEqual([]);
    expect(run.report.outcomes).toEqual(expectedOutcomes(ORDERS));
    expect(streamsDiscarded()).toBe(0);
    expect(figures.dlqArrivals).toBe(0);
  }, 900_000);

  it(`${ORDERS} orders with 10% of functions crashing after their write and deliveries delayed up to 200 ms: nothing lost or doubled`, async () => {
    // given
    const start = scenarioStart(env);
    const crashesBefore = env.faults.faults.crashAfterWrite;
    env.faults.set({ crashAfterWrite: 0.1, maxDeliveryDelayMs: 200 });
    // when
    const run = await runOrderLoad(env, { orders: ORDERS, concurrency: 10, settleTimeoutMs: 300_000 });
    env.faults.set({});
    // then
    const figures = await loadFigures('4b crashes after the write, delayed and reordered deliveries', env, run, start);
    reportFigures(figures);
    expect(env.faults.faults.crashAfterWrite).toBeGreaterThan(crashesBefore);
    expect(run.report.findings.slice(0, 20)).toEqual([]);
    expect(run.report.outcomes).toEqual(expectedOutcomes(ORDERS));
    expect(streamsDiscarded()).toBe(0);
    expect(figures.dlqArrivals).toBe(0);
  }, 900_000);
});
