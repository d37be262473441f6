/**
 * Requests and cost per order, counted for real: a local cloud whose functions and pollers reach
 * the emulators through counting proxies (functions and pollers apart), a run of orders, and the
 * difference of the counters from before the run to the moment every queue is empty again.
 */
import { BatchGetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startLocalCloud, type LocalCloud } from '../local/cloud/local-cloud';
import type { LocalEndpoints } from '../local/cloud/model';
import { localClientConfig } from '../local/emulators/credentials';
import { costOf, measuredPerOrder, minimumPerOrder, requestsByService, totalRequests, unitsOf, type CostBreakdown, type LambdaUsage, type RequestLine } from './cost';
import { difference, RequestLedger, startCountingProxy, type CountingProxy, type OperationCount } from './counting-proxy';
import { LambdaMeter, type FunctionUsage } from './lambda-meter';
import { fixedCount } from './load';
import { benchOrder, finalStatusFunctions, LINES_PER_ORDER, OrderRunner } from './orders';
import { describeFunctions } from './topology';

export interface CountingOptions {
  readonly orders: number;
  readonly concurrency: number;
  readonly warmUpOrders: number;
  readonly idleMs: number;
  readonly logDir: string;
  readonly log: (line: string) => void;
}

export interface CountingResult {
  readonly orders: number;
  readonly failures: number;
  readonly errors: readonly string[];
  /** Orders the table shows as STOCK_RESERVED at the end (read directly, not counted). */
  readonly reserved: number;
  readonly elapsedMs: number;
  readonly measured: RequestLine[];
  readonly minimum: RequestLine[];
  readonly measuredRequests: number;
  readonly minimumRequests: number;
  readonly byService: { readonly measured: Record<string, number>; readonly minimum: Record<string, number> };
  readonly units: { readonly measured: { writeUnits: number; readUnits: number }; readonly minimum: { writeUnits: number; readUnits: number } };
  readonly gbSecondsPerOrder: number;
  /** USD per order. */
  readonly cost: { readonly measured: CostBreakdown; readonly minimum: CostBreakdown };
  /** Requests per second the pollers make while nothing happens, by service and operation. */
  readonly idlePerSecond: Record<string, number>;
  readonly counts: OperationCount[];
  readonly lambda: Record<string, FunctionUsage>;
  readonly sqsMessagesPerBatch: number;
}

export async function runCountingPhase(options: CountingOptions): Promise<CountingResult> {
  const ledger = new RequestLedger();
  const proxies: CountingProxy[] = [];
  const meter = new LambdaMeter();
  let runner: OrderRunner | undefined;
  let cloud: LocalCloud | undefined;
  try {
    cloud = await startLocalCloud({
      logDir: options.logDir,
      routeEndpoints: async (emulators: LocalEndpoints, caller) => {
        const dynamodb = await startCountingProxy({ target: emulators.dynamodb, caller, ledger });
        proxies.push(dynamodb);
        const snsSqs = await startCountingProxy({ target: emulators.snsSqs, caller, ledger });
        proxies.push(snsSqs);
        return { ...emulators, dynamodb: dynamodb.endpoint, snsSqs: snsSqs.endpoint };
      },
      afterInvoke: (invocation, outcome) => runner?.afterInvoke(invocation, outcome),
      onInvocation: meter.record,
    });
    const functions = describeFunctions(cloud.topology);
    runner = new OrderRunner({ apiUrl: cloud.apiUrl }, finalStatusFunctions(functions));
    const active = runner;
    const sqs = new SQSClient(localClientConfig(cloud.endpoints.snsSqs));
    const dynamodb = new DynamoDBClient(localClientConfig(cloud.endpoints.dynamodb));
    try {
      const place = (_lane: number, sequence: number) => active.run(benchOrder(sequence, 'count'), { throughApi: false });

      options.log(`warming up with ${options.warmUpOrders} orders`);
      await fixedCount(place, options.warmUpOrders, options.concurrency);
      await untilQuiet(cloud, sqs);

      const idleBefore = ledger.snapshot();
      await new Promise((resolve) => setTimeout(resolve, options.idleMs));
      const idle = difference(ledger.snapshot(), idleBefore);
      const idlePerSecond = Object.fromEntries(idle.map((c) => [`${c.caller} ${c.service} ${c.operation}`, c.requests / (options.idleMs / 1000)]));

      options.log(`counting ${options.orders} orders, ${options.concurrency} in flight`);
      const before = ledger.snapshot();
      const usageBefore = meter.snapshot();
      const apiBefore = active.apiRequests;
      const pollerBefore = sqsPollerTotals(cloud);
      const run = await fixedCount(place, options.orders, options.concurrency);
      await untilQuiet(cloud, sqs);
      const counts = difference(ledger.snapshot(), before);
      const usage = LambdaMeter.difference(meter.snapshot(), usageBefore);
      const apiRequests = active.apiRequests - apiBefore;
      const pollerAfter = sqsPollerTotals(cloud);
      const placedIds = active.placedOrderIds.slice(-options.orders);

      const kindOf = new Map(functions.map((f) => [f.fn.logicalId, f.role.kind]));
      const memoryOf = new Map(functions.map((f) => [f.fn.logicalId, f.fn.memoryMb]));
      const invocations = { http: 0, stream: 0, sqs: 0 };
      let gbSeconds = 0;
      for (const [id, u] of usage) {
        const kind = kindOf.get(id);
        invocations[kind === 'api' ? 'http' : kind === 'dispatcher' ? 'stream' : 'sqs'] += u.invocations;
        gbSeconds += (u.billedMs / 1000) * ((memoryOf.get(id) ?? 128) / 1024);
      }
      const lambda: LambdaUsage = { invocations, gbSeconds };
      const orders = options.orders;
      const measured = measuredPerOrder(counts, lambda, apiRequests, orders);
      const minimum = minimumPerOrder(cloud.topology, LINES_PER_ORDER);
      const gbSecondsPerOrder = gbSeconds / orders;
      const totalInvocations = invocations.http + invocations.stream + invocations.sqs;
      // The minimum's Lambda duration: its invocations at the measured mean duration of one.
      const minimumInvocations = minimum.filter((l) => l.service === 'lambda').reduce((s, l) => s + l.requests, 0);
      const minimumGbSeconds = totalInvocations > 0 ? (gbSeconds / totalInvocations) * minimumInvocations : 0;

      return {
        orders,
        failures: run.failures,
        errors: run.errors,
        reserved: await countReserved(dynamodb, cloud, placedIds),
        elapsedMs: run.elapsedMs,
        measured,
        minimum,
        measuredRequests: totalRequests(measured),
        minimumRequests: totalRequests(minimum),
        byService: { measured: requestsByService(measured), minimum: requestsByService(minimum) },
        units: { measured: unitsOf(measured), minimum: unitsOf(minimum) },
        gbSecondsPerOrder,
        cost: { measured: costOf(measured, gbSecondsPerOrder), minimum: costOf(minimum, minimumGbSeconds) },
        idlePerSecond,
        counts,
        lambda: Object.fromEntries(usage),
        sqsMessagesPerBatch: (pollerAfter.records - pollerBefore.records) / Math.max(1, pollerAfter.batches - pollerBefore.batches),
      };
    } finally {
      sqs.destroy();
      dynamodb.destroy();
    }
  } finally {
    await cloud?.stop();
    await Promise.all(proxies.map((proxy) => proxy.stop()));
  }
}

function sqsPollerTotals(cloud: LocalCloud): { batches: number; records: number } {
  return cloud.sqsPollers.reduce((t, p) => ({ batches: t.batches + p.counters.batches, records: t.records + p.counters.records }), { batches: 0, records: 0 });
}

/** Until every queue a function reads is empty, nothing in flight, twice in a row (read directly, not counted). */
async function untilQuiet(cloud: LocalCloud, sqs: SQSClient, deadlineMs = 30_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let quietReads = 0;
  while (Date.now() < deadline) {
    let waiting = 0;
    for (const mapping of cloud.topology.sqsMappings) {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: mapping.queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
      );
      waiting += Number(Attributes?.['ApproximateNumberOfMessages'] ?? 0) + Number(Attributes?.['ApproximateNumberOfMessagesNotVisible'] ?? 0);
    }
    quietReads = waiting === 0 ? quietReads + 1 : 0;
    if (quietReads >= 2) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the queues were not empty ${deadlineMs} ms after the last order`);
}

async function countReserved(dynamodb: DynamoDBClient, cloud: LocalCloud, orderIds: readonly string[]): Promise<number> {
  const table = cloud.topology.tables.find((t) => t.logicalId.toLowerCase().startsWith('order'))?.tableName;
  if (!table) return 0;
  let reserved = 0;
  for (let i = 0; i < orderIds.length; i += 100) {
    const keys = orderIds.slice(i, i + 100).map((id) => ({ pk: { S: `ORDER#${id}` }, sk: { S: 'STATE' } }));
    const { Responses } = await dynamodb.send(new BatchGetItemCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }));
    reserved += (Responses?.[table] ?? []).filter((item) => item['state']?.M?.['status']?.S === 'STOCK_RESERVED').length;
  }
  return reserved;
}
