/** Lambda invocations and billed duration, per function, from the function host's onInvocation hook. */
import type { InvocationMetrics } from '../local/cloud/runtime/function-host';
import { PRICES } from './prices';

export interface FunctionUsage {
  invocations: number;
  errors: number;
  coldStarts: number;
  /** Sum of durations rounded up to Lambda's billing granularity. */
  billedMs: number;
  durationMs: number;
  /** Time spent waiting for a free execution environment. */
  queuedMs: number;
}

export class LambdaMeter {
  private readonly usage = new Map<string, FunctionUsage>();

  readonly record = (metrics: InvocationMetrics): void => {
    let usage = this.usage.get(metrics.functionLogicalId);
    if (!usage) {
      usage = { invocations: 0, errors: 0, coldStarts: 0, billedMs: 0, durationMs: 0, queuedMs: 0 };
      this.usage.set(metrics.functionLogicalId, usage);
    }
    const granularity = PRICES.lambda.billingGranularityMs;
    usage.invocations += 1;
    if (metrics.outcome !== 'success') usage.errors += 1;
    if (metrics.coldStart) usage.coldStarts += 1;
    usage.billedMs += Math.ceil(metrics.durationMs / granularity) * granularity;
    usage.durationMs += metrics.durationMs;
    usage.queuedMs += metrics.queuedMs;
  };

  snapshot(): Map<string, FunctionUsage> {
    return new Map([...this.usage].map(([id, usage]) => [id, { ...usage }]));
  }

  /** `after - before`, per function. */
  static difference(after: ReadonlyMap<string, FunctionUsage>, before: ReadonlyMap<string, FunctionUsage>): Map<string, FunctionUsage> {
    const result = new Map<string, FunctionUsage>();
    for (const [id, a] of after) {
      const b = before.get(id);
      const d: FunctionUsage = {
        invocations: a.invocations - (b?.invocations ?? 0),
        errors: a.errors - (b?.errors ?? 0),
        coldStarts: a.coldStarts - (b?.coldStarts ?? 0),
        billedMs: a.billedMs - (b?.billedMs ?? 0),
        durationMs: a.durationMs - (b?.durationMs ?? 0),
        queuedMs: a.queuedMs - (b?.queuedMs ?? 0),
      };
      if (d.invocations > 0) result.set(id, d);
    }
    return result;
  }
}
