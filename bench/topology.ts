/**
 * What the benchmark needs to know of the provisioned topology, read from it rather than from
 * logical ids: each function's role (API, outbox dispatcher, consumer of an event, event log),
 * the event a queue receives, and which queues each event reaches.
 */
import { isEventType, type ContextName, type EventType } from '../lambdas/shared/events/catalogue';
import type { LocalFunction, LocalSubscription, LocalTopology, SqsMapping } from '../local/cloud/model';

export type FunctionRole =
  | { readonly kind: 'api' }
  | { readonly kind: 'dispatcher'; readonly context: ContextName; readonly tableName: string }
  | { readonly kind: 'consumer'; readonly context: ContextName; readonly eventType: EventType; readonly mapping: SqsMapping }
  | { readonly kind: 'recorder'; readonly mappings: readonly SqsMapping[] };

export interface BenchFunction {
  readonly fn: LocalFunction;
  readonly role: FunctionRole;
}

/** The event types a subscription lets through (its `type` filter), or undefined for all. */
export function filteredTypes(subscription: LocalSubscription): readonly string[] | undefined {
  const policy = subscription.filterPolicy as { type?: unknown } | undefined;
  const types = policy?.type;
  return Array.isArray(types) ? types.filter((t): t is string => typeof t === 'string') : undefined;
}

export function receives(subscription: LocalSubscription, type: EventType): boolean {
  const types = filteredTypes(subscription);
  return types === undefined || types.includes(type);
}

/** The event type a queue receives (its only subscription's filter). */
export function eventTypeOfQueue(topology: LocalTopology, queueArn: string): EventType | undefined {
  const types = topology.subscriptions.filter((s) => s.queueArn === queueArn).flatMap((s) => filteredTypes(s) ?? []);
  const [type] = types;
  return types.length === 1 && type !== undefined && isEventType(type) ? type : undefined;
}

function contextOfTable(topology: LocalTopology, tableName: string | undefined): ContextName | undefined {
  const table = topology.tables.find((t) => t.tableName === tableName);
  const id = table?.logicalId.toLowerCase() ?? '';
  return (['order', 'payment', 'inventory'] as const).find((context) => id.startsWith(context));
}

export function describeFunctions(topology: LocalTopology): BenchFunction[] {
  return topology.functions.map((fn) => ({ fn, role: roleOf(topology, fn) }));
}

function roleOf(topology: LocalTopology, fn: LocalFunction): FunctionRole {
  if (topology.routes.some((route) => route.functionLogicalId === fn.logicalId)) return { kind: 'api' };
  const stream = topology.streamMappings.find((m) => m.functionLogicalId === fn.logicalId);
  if (stream) {
    const context = contextOfTable(topology, stream.tableName);
    if (!context) throw new Error(`${fn.logicalId}: no context for the table ${stream.tableName}`);
    return { kind: 'dispatcher', context, tableName: stream.tableName };
  }
  const mappings = topology.sqsMappings.filter((m) => m.functionLogicalId === fn.logicalId);
  if (mappings.length === 0) throw new Error(`${fn.logicalId}: neither an HTTP route, a stream nor a queue triggers it`);
  if (fn.environment['EVENT_LOG_TABLE_NAME'] && !fn.environment['TABLE_NAME']) return { kind: 'recorder', mappings };
  const [mapping] = mappings;
  const context = contextOfTable(topology, fn.environment['TABLE_NAME']);
  const eventType = mapping && eventTypeOfQueue(topology, mapping.queueArn);
  if (!mapping || mappings.length !== 1 || !context || !eventType) throw new Error(`${fn.logicalId}: not a consumer of one event of one context`);
  return { kind: 'consumer', context, eventType, mapping };
}

export function findConsumer(functions: readonly BenchFunction[], context: ContextName, eventType: EventType): BenchFunction {
  const found = functions.find((f) => f.role.kind === 'consumer' && f.role.context === context && f.role.eventType === eventType);
  if (!found) throw new Error(`no ${context} consumer of ${eventType} in the topology`);
  return found;
}

export function tableOf(topology: LocalTopology, context: ContextName | 'eventlog'): string {
  const table = topology.tables.find((t) => t.logicalId.toLowerCase().startsWith(context));
  if (!table) throw new Error(`no ${context} table in the topology`);
  return table.tableName;
}
