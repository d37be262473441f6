import type { FaultKind } from '../../../local/cloud/faults';
import type { AuditReport } from './audit';
import type { ScenarioFigures } from './figures';
import type { LoadResult } from './order-load';
import type { ScenarioCloud } from './scenario-cloud';

/** Where a scenario starts from: its figures are what the counters gained since. */
export interface ScenarioStart {
  readonly at: number;
  readonly deliveries: number;
  readonly faults: Readonly<Record<FaultKind, number>>;
}

export function scenarioStart(env: ScenarioCloud): ScenarioStart {
  return { at: Date.now(), deliveries: env.deliveries(), faults: env.faults.snapshot().faults };
}

/**
 * A scenario's figures from what its audit found: deliveries and faults since `start`, unless
 * the scenario threw its faults itself (`injectedFaults`), and what the dead-letter queues hold.
 */
export async function scenarioFigures(
  scenario: string,
  env: ScenarioCloud,
  start: ScenarioStart,
  outcome: { readonly orders: number; readonly report: AuditReport; readonly injectedFaults?: Record<string, number>; readonly details?: Record<string, number | string> },
): Promise<ScenarioFigures> {
  const deadLetters = await env.deadLetters();
  return {
    scenario,
    orders: outcome.orders,
    deliveries: env.deliveries() - start.deliveries,
    injectedFaults: outcome.injectedFaults ?? env.faults.injected(start.faults),
    dlqArrivals: Object.values(deadLetters).reduce((sum, n) => sum + n, 0),
    lost: outcome.report.lost,
    stuck: outcome.report.stuck,
    duplicatedEffects: outcome.report.duplicatedEffects,
    inconsistencies: outcome.report.inconsistencies,
    elapsedMs: Date.now() - start.at,
    details: { ...outcome.details, seed: env.seed },
  };
}

/** The figures of a load scenario: the run's outcomes and pace beside what its audit found. */
export function loadFigures(
  scenario: string,
  env: ScenarioCloud,
  run: LoadResult,
  start: ScenarioStart,
  options: { readonly injectedFaults?: Record<string, number>; readonly details?: Record<string, number | string> } = {},
): Promise<ScenarioFigures> {
  return scenarioFigures(scenario, env, start, {
    orders: run.placed.length,
    report: run.report,
    ...(options.injectedFaults ? { injectedFaults: options.injectedFaults } : {}),
    details: {
      ...run.report.outcomes,
      'placed in s': (run.placedMs / 1000).toFixed(1),
      'orders/s': (run.placed.length / (run.elapsedMs / 1000)).toFixed(1),
      ...options.details,
    },
  });
}
