/**
 * The figures every reliability scenario prints (and appends to `test-results/reliability.json`),
 * so a run shows, scenario by scenario, what was thrown at the system and that nothing was lost.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export interface ScenarioFigures {
  readonly scenario: string;
  /** Orders placed (or, for the API fuzz, requests sent). */
  readonly orders: number;
  /** Records handed to consumer functions (SQS messages and stream records, duplicates included). */
  readonly deliveries: number;
  /** Faults injected, by kind (duplicate, crash, throttle, 5xx, delay, poison, malformed request…). */
  readonly injectedFaults: Readonly<Record<string, number>>;
  /** Messages that reached a dead-letter queue. */
  readonly dlqArrivals: number;
  /** Orders or events that never arrived where they should (must be 0). */
  readonly lost: number;
  /** Orders not at their expected final status by the deadline (must be 0). */
  readonly stuck: number;
  /** Effects applied more than once: a second charge, refund, reservation or release (must be 0). */
  readonly duplicatedEffects: number;
  /** Findings of the consistency audit (must be 0). */
  readonly inconsistencies: number;
  readonly elapsedMs: number;
  /** Anything else worth a line (status counts, outcomes of races…). */
  readonly details?: Readonly<Record<string, number | string>>;
}

const RESULTS_FILE = path.join(__dirname, '..', '..', '..', 'test-results', 'reliability.jsonl');

export function formatFigures(figures: ScenarioFigures): string {
  const faults = Object.entries(figures.injectedFaults)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
  const total = Object.values(figures.injectedFaults).reduce((sum, n) => sum + n, 0);
  const lines = [
    `reliability · ${figures.scenario}`,
    `  orders ${figures.orders} · deliveries ${figures.deliveries} · injected faults ${total}${faults ? ` (${faults})` : ''} · DLQ arrivals ${figures.dlqArrivals}`,
    `  lost ${figures.lost} · stuck ${figures.stuck} · duplicated effects ${figures.duplicatedEffects} · inconsistencies ${figures.inconsistencies} · ${(figures.elapsedMs / 1000).toFixed(1)} s`,
  ];
  if (figures.details && Object.keys(figures.details).length > 0) {
    lines.push(`  ${Object.entries(figures.details).map(([key, value]) => `${key} ${value}`).join(' · ')}`);
  }
  return lines.join('\n');
}

/** Prints the figures (outside Jest's console buffering) and appends them as one JSON line. */
export function reportFigures(figures: ScenarioFigures): void {
  process.stdout.write(`\n${formatFigures(figures)}\n`);
  mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  appendFileSync(RESULTS_FILE, `${JSON.stringify({ at: new Date().toISOString(), ...figures })}\n`);
}

/** How many orders a load scenario places: RELIABILITY_ORDERS, else `fallback`. */
export function scenarioSize(fallback: number): number {
  const fromEnv = Number(process.env.RELIABILITY_ORDERS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : fallback;
}
