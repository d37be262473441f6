import type { ScenarioFigures } from './figures';
import type { LoadResult } from './order-load';
import type { ScenarioCloud } from './scenario-cloud';

/** The figures of a load scenario, from what the run and its audit found. */
export async function loadFigures(
  scenario: string,
  env: ScenarioCloud,
  run: LoadResult,
  before: { deliveries: number },
  details: Record<string, number | string> = {},
): Promise<ScenarioFigures> {
  const deadLetters = await env.deadLetters();
  return {
    scenario,
    orders: run.placed.length,
    deliveries: env.deliveries() - before.deliveries,
    injectedFaults: env.faults.injected(),
    dlqArrivals: Object.values(deadLetters).reduce((sum, n) => sum + n, 0),
    lost: run.report.lost,
    stuck: run.report.stuck,
    duplicatedEffects: run.report.duplicatedEffects,
    inconsistencies: run.report.inconsistencies,
    elapsedMs: run.elapsedMs,
    details: {
      ...run.report.outcomes,
      'placed in s': (run.placedMs / 1000).toFixed(1),
      'orders/s': (run.placed.length / (run.elapsedMs / 1000)).toFixed(1),
      seed: env.seed,
      ...details,
    },
  };
}
