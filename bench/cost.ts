/**
 * AWS requests and cost per order: the minimum the design needs (derived here, hop by hop), and
 * the pricing of what a run actually did (counted by the proxies and the function host).
 */
import type { EventType } from '../lambdas/shared/events/catalogue';
import type { LocalTopology } from '../local/cloud/model';
import type { OperationCount } from './counting-proxy';
import { PRICES } from './prices';
import { describeFunctions, receives } from './topology';

/** The events of a successful order, in the order they happen. */
export const ORDER_PATH: readonly EventType[] = ['order.placed', 'payment.approved', 'order.paid', 'stock.reserved'];

export type BilledService = 'apigateway' | 'lambda' | 'sns' | 'sqs' | 'dynamodb' | 'dynamodbstreams';

/** One kind of request, per order. `units`: DynamoDB request units (WRU for writes, RRU for reads). */
export interface RequestLine {
  readonly service: BilledService;
  readonly operation: string;
  readonly requests: number;
  readonly writeUnits?: number;
  readonly readUnits?: number;
  /** Why the design needs it (minimum), or who made it (measured). */
  readonly note: string;
}

/**
 * The fewest AWS requests one successful order needs, from the design: five hops, each one
 * transactional write (state, outbox, inbox), each event published once and received and deleted
 * once on every queue subscribed to it, each function invoked once per trigger, no batching.
 *
 *   hop 1  POST /orders → API function → TransactWriteItems(order, outbox order.placed, inbox)
 *   hop 2  order.placed  → Payment   → GetItem(payment)  → TransactWriteItems(payment, outbox, inbox)
 *   hop 3  payment.approved → Order  → GetItem(order)    → TransactWriteItems(order, outbox order.paid, inbox)
 *   hop 4  order.paid    → Inventory → BatchGetItem(reservation + one stock item per line)
 *                                    → TransactWriteItems(reservation, stock items, outbox, inbox)
 *   hop 5  stock.reserved → Order    → GetItem(order)    → TransactWriteItems(order, inbox)
 *   between hops: the table's stream → dispatcher function → one Publish per event (4);
 *   each event → every queue subscribed to it (from the template's subscriptions and filter
 *   policies: the consuming context's queue and the event log's) → one ReceiveMessage, one
 *   DeleteMessage and one function invocation per message; the event log writes one item per
 *   message. The STOCK_RESERVED write publishes nothing: the stream filter drops it (not billed),
 *   and stream reads by Lambda's event source mappings are free.
 *
 * Capacity: transactional writes cost 2 WRU per item, a put 1 WRU, the listing index 1 WRU for its
 * copy of each order state written (the recent-orders list shows the current status), a consistent read 1 RRU per
 * item, all assuming items of at most 1 KB (4 KB for reads); larger items cost more.
 */
/** The order's state is written when placed, paid and reserved; the listing index keeps each status. */
const ORDER_STATE_WRITES = 3;

export function minimumPerOrder(topology: LocalTopology, lines: number): RequestLine[] {
  const functions = describeFunctions(topology);
  const recorderQueues = new Set(functions.flatMap((f) => (f.role.kind === 'recorder' ? f.role.mappings.map((m) => m.queueArn) : [])));
  const deliveries = ORDER_PATH.flatMap((type) => topology.subscriptions.filter((s) => receives(s, type)).map((s) => ({ type, queueArn: s.queueArn })));
  const messages = deliveries.length;
  const logged = deliveries.filter((d) => recorderQueues.has(d.queueArn)).length;
  const transactionItems = [3, 3, 3, 3 + lines, 2];
  const items = transactionItems.reduce((sum, n) => sum + n, 0);
  return [
    { service: 'apigateway', operation: 'POST /orders', requests: 1, note: 'the order enters through one HTTP API request' },
    { service: 'lambda', operation: 'Invoke (HTTP API)', requests: 1, note: 'the API function places the order' },
    { service: 'lambda', operation: 'Invoke (stream)', requests: ORDER_PATH.length, note: 'one dispatcher invocation per event published, unbatched' },
    { service: 'lambda', operation: 'Invoke (SQS)', requests: messages, note: `one consumer invocation per message: ${messages} messages (${logged} to the event log)` },
    { service: 'sns', operation: 'Publish', requests: ORDER_PATH.length, note: 'one publish per event of the path' },
    { service: 'sqs', operation: 'ReceiveMessage', requests: messages, note: 'one receive per message' },
    { service: 'sqs', operation: 'DeleteMessage', requests: messages, note: 'one delete per message' },
    {
      service: 'dynamodb',
      operation: 'TransactWriteItems',
      requests: transactionItems.length,
      writeUnits: 2 * items + ORDER_STATE_WRITES,
      note: `one transaction per hop, items ${transactionItems.join('+')} at 2 WRU each, and the listing index's copy of the order's ${ORDER_STATE_WRITES} state writes at 1 WRU`,
    },
    { service: 'dynamodb', operation: 'PutItem', requests: logged, writeUnits: logged, note: 'the event log keeps each event once' },
    { service: 'dynamodb', operation: 'GetItem', requests: 3, readUnits: 3, note: 'payment, order, order: one consistent read per hop' },
    { service: 'dynamodb', operation: 'BatchGetItem', requests: 1, readUnits: 1 + lines, note: `inventory reads its reservation and ${lines} stock items at once` },
  ];
}

/** Requests billed as requests (DynamoDB on-demand bills request units, but each call is still a request made). */
export function totalRequests(lines: readonly RequestLine[]): number {
  return lines.filter((l) => l.service !== 'dynamodbstreams').reduce((sum, l) => sum + l.requests, 0);
}

export interface LambdaUsage {
  /** Invocations by trigger kind. */
  readonly invocations: Readonly<Record<'http' | 'stream' | 'sqs', number>>;
  /** Sum of billed duration × memory, in GB-seconds. */
  readonly gbSeconds: number;
}

/** What one order cost in a measured run: the proxies' counts and the host's invocations, divided by the orders. */
export function measuredPerOrder(counts: readonly OperationCount[], lambda: LambdaUsage, apiRequests: number, orders: number): RequestLine[] {
  const per = (n: number) => n / orders;
  const lines: RequestLine[] = [
    { service: 'apigateway', operation: 'HTTP API requests', requests: per(apiRequests), note: 'requests the bench sent to the API' },
    { service: 'lambda', operation: 'Invoke (HTTP API)', requests: per(lambda.invocations.http), note: 'function host' },
    { service: 'lambda', operation: 'Invoke (stream)', requests: per(lambda.invocations.stream), note: 'function host' },
    { service: 'lambda', operation: 'Invoke (SQS)', requests: per(lambda.invocations.sqs), note: 'function host' },
  ];
  for (const count of counts) {
    const service = count.service as BilledService;
    lines.push({
      service,
      operation: count.operation,
      // SNS and SQS bill each 64 KB chunk as a request.
      requests: per(service === 'sns' || service === 'sqs' ? count.chunks : count.requests),
      ...(service === 'dynamodb' ? (count.readUnits > 0 ? { readUnits: per(count.readUnits) } : { writeUnits: per(count.writeUnits) }) : {}),
      note: `${count.caller}${count.errors > 0 ? `, ${count.errors} error answers` : ''}`,
    });
  }
  return lines;
}

export interface CostBreakdown {
  readonly apigateway: number;
  readonly lambdaRequests: number;
  readonly lambdaDuration: number;
  readonly sns: number;
  readonly sqs: number;
  readonly dynamodb: number;
  readonly total: number;
}

/** USD for one order's requests; `gbSeconds` is that order's Lambda duration. */
export function costOf(lines: readonly RequestLine[], gbSeconds: number): CostBreakdown {
  const sum = (service: BilledService, f: (l: RequestLine) => number) => lines.filter((l) => l.service === service).reduce((s, l) => s + f(l), 0);
  const apigateway = sum('apigateway', (l) => l.requests) * PRICES.apiGateway.perHttpApiRequest;
  const lambdaRequests = sum('lambda', (l) => l.requests) * PRICES.lambda.perRequest;
  const lambdaDuration = gbSeconds * PRICES.lambda.perGbSecondArm64;
  const sns = sum('sns', (l) => l.requests) * PRICES.sns.perRequest;
  const sqs = sum('sqs', (l) => l.requests) * PRICES.sqs.perRequest;
  const dynamodb =
    sum('dynamodb', (l) => l.writeUnits ?? 0) * PRICES.dynamodb.perWriteRequestUnit + sum('dynamodb', (l) => l.readUnits ?? 0) * PRICES.dynamodb.perReadRequestUnit;
  return { apigateway, lambdaRequests, lambdaDuration, sns, sqs, dynamodb, total: apigateway + lambdaRequests + lambdaDuration + sns + sqs + dynamodb };
}

/** Requests per order by service, free stream reads apart. */
export function requestsByService(lines: readonly RequestLine[]): Record<BilledService, number> {
  const result: Record<BilledService, number> = { apigateway: 0, lambda: 0, sns: 0, sqs: 0, dynamodb: 0, dynamodbstreams: 0 };
  for (const line of lines) result[line.service] = (result[line.service] ?? 0) + line.requests;
  return result;
}

export function unitsOf(lines: readonly RequestLine[]): { writeUnits: number; readUnits: number } {
  return {
    writeUnits: lines.reduce((s, l) => s + (l.writeUnits ?? 0), 0),
    readUnits: lines.reduce((s, l) => s + (l.readUnits ?? 0), 0),
  };
}
