/**
 * A counting HTTP proxy on 127.0.0.1 in front of an emulator (DynamoDB Local, fauxqs): every AWS
 * request that goes through it is counted by caller, service and operation, with its size in
 * 64 KB chunks (how SNS and SQS bill) and, for DynamoDB, the request units the items on the wire
 * cost. The functions run in worker threads with their own SDK clients, so counting happens
 * here, on the wire, rather than in SDK middleware.
 */
import { startAwsProxy, type AwsProxy, type Operation } from '../local/cloud/aws-proxy';
import { LISTING_INDEX } from '../lambdas/shared/infrastructure/dynamodb-store';

export { parseOperation, signingService, type Operation } from '../local/cloud/aws-proxy';

/** DynamoDB's wire form of an attribute value. */
type AttributeJson = Readonly<Record<string, unknown>>;

function utf8(value: unknown): number {
  return typeof value === 'string' ? Buffer.byteLength(value) : 0;
}

/** A number's size: one byte per two significant digits, plus one. */
function numberSize(value: unknown): number {
  const digits = String(value).replace(/^[-+]/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

function valueSize(value: AttributeJson): number {
  const [type, content] = Object.entries(value)[0] ?? ['NULL', true];
  switch (type) {
    case 'S':
      return utf8(content);
    case 'N':
      return numberSize(content);
    case 'B':
      return typeof content === 'string' ? Buffer.from(content, 'base64').length : 0;
    case 'SS':
      return Array.isArray(content) ? content.reduce<number>((n, v) => n + utf8(v), 0) : 0;
    case 'NS':
      return Array.isArray(content) ? content.reduce<number>((n, v) => n + numberSize(v), 0) : 0;
    case 'BS':
      return Array.isArray(content) ? content.reduce<number>((n, v) => n + (typeof v === 'string' ? Buffer.from(v, 'base64').length : 0), 0) : 0;
    case 'M':
      return 3 + Object.entries((content ?? {}) as Record<string, AttributeJson>).reduce((n, [name, v]) => n + utf8(name) + valueSize(v) + 1, 0);
    case 'L':
      return 3 + ((content ?? []) as AttributeJson[]).reduce((n, v) => n + valueSize(v) + 1, 0);
    default:
      return 1; // BOOL, NULL
  }
}

/** An item's size as DynamoDB counts it: each attribute's name and value, in bytes. */
export function itemSize(item: Readonly<Record<string, AttributeJson>> | undefined): number {
  return Object.entries(item ?? {}).reduce((n, [name, value]) => n + utf8(name) + valueSize(value), 0);
}

const KB = 1024;
const writeUnits = (item: Readonly<Record<string, AttributeJson>> | undefined) => Math.max(1, Math.ceil(itemSize(item) / KB));
/**
 * What a put also costs in the listing index (projecting the whole item): DynamoDB writes the
 * index copy at 1 WRU per KB, outside any transaction's doubling. Items without the index's
 * key (the index is sparse) cost nothing there.
 */
const indexWriteUnits = (item: Readonly<Record<string, AttributeJson>> | undefined) => (item?.[LISTING_INDEX.partitionKey] ? writeUnits(item) : 0);
const readUnits = (bytes: number, consistent: boolean) => Math.max(1, Math.ceil(bytes / (4 * KB))) * (consistent ? 1 : 0.5);

export interface CapacityUnits {
  readonly read: number;
  readonly write: number;
}

type Json = Record<string, unknown>;
function parse(body: string): Json {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null ? (value as Json) : {};
  } catch {
    return {};
  }
}
type Items = readonly Readonly<Record<string, AttributeJson>>[];

/**
 * The request units a DynamoDB call consumes under on-demand billing, from the items it really
 * wrote (the request) or read (the answer), by DynamoDB's published rules: a write 1 WRU per KB
 * of item, transactional 2, plus 1 per KB for the listing index's copy of an item it holds; a read 1 RRU per 4 KB (half if eventually consistent, 2 in a
 * transaction), at least one unit per item. DynamoDB Local does not report these faithfully.
 * An update or delete counts one unit (the item's size is not on the wire).
 */
export function capacityUnits(operation: string, requestBody: string, responseBody: string): CapacityUnits {
  const request = parse(requestBody);
  switch (operation) {
    case 'PutItem':
      return { read: 0, write: writeUnits(request['Item'] as Items[number]) + indexWriteUnits(request['Item'] as Items[number]) };
    case 'UpdateItem':
    case 'DeleteItem':
      return { read: 0, write: 1 };
    case 'BatchWriteItem': {
      const tables = Object.values((request['RequestItems'] ?? {}) as Record<string, { PutRequest?: { Item?: Items[number] } }[]>);
      return { read: 0, write: tables.flat().reduce((n, r) => n + (r.PutRequest ? writeUnits(r.PutRequest.Item) : 1), 0) };
    }
    case 'TransactWriteItems': {
      const items = (request['TransactItems'] ?? []) as { Put?: { Item?: Items[number] } }[];
      return { read: 0, write: items.reduce((n, t) => n + (t.Put ? 2 * writeUnits(t.Put.Item) + indexWriteUnits(t.Put.Item) : 2), 0) };
    }
    case 'GetItem': {
      const item = parse(responseBody)['Item'] as Items[number] | undefined;
      return { read: readUnits(itemSize(item), request['ConsistentRead'] === true), write: 0 };
    }
    case 'BatchGetItem': {
      const asked = (request['RequestItems'] ?? {}) as Record<string, { ConsistentRead?: boolean }>;
      const answered = (parse(responseBody)['Responses'] ?? {}) as Record<string, Items>;
      const read = Object.entries(answered).reduce(
        (n, [table, items]) => n + items.reduce((m, item) => m + readUnits(itemSize(item), asked[table]?.ConsistentRead === true), 0),
        0,
      );
      return { read, write: 0 };
    }
    case 'Query':
    case 'Scan': {
      const items = (parse(responseBody)['Items'] ?? []) as Items;
      return { read: readUnits(items.reduce((n, item) => n + itemSize(item), 0), request['ConsistentRead'] === true), write: 0 };
    }
    case 'TransactGetItems': {
      const responses = (parse(responseBody)['Responses'] ?? []) as { Item?: Items[number] }[];
      return { read: responses.reduce((n, r) => n + 2 * readUnits(itemSize(r.Item), true), 0), write: 0 };
    }
    default:
      return { read: 0, write: 0 };
  }
}

/** SNS and SQS bill each 64 KB chunk of a request's payload as one request. */
export const BILLING_CHUNK_BYTES = 64 * 1024;

export interface OperationCount {
  readonly caller: string;
  readonly service: string;
  readonly operation: string;
  requests: number;
  /** Requests counted in 64 KB chunks of the larger of request and response body. */
  chunks: number;
  /** DynamoDB request units consumed (on-demand), reads and writes. */
  readUnits: number;
  writeUnits: number;
  /** Answers with a status of 400 or more (conditional check failures, throttling, ...). */
  errors: number;
}

/** Counts by caller, service and operation; shared by every proxy of a run. */
export class RequestLedger {
  private readonly counts = new Map<string, OperationCount>();

  record(caller: string, { service, operation }: Operation, sample: { bytes: number; units: CapacityUnits; error: boolean }): void {
    const key = `${caller}\u0000${service}\u0000${operation}`;
    let count = this.counts.get(key);
    if (!count) {
      count = { caller, service, operation, requests: 0, chunks: 0, readUnits: 0, writeUnits: 0, errors: 0 };
      this.counts.set(key, count);
    }
    count.requests += 1;
    count.chunks += Math.max(1, Math.ceil(sample.bytes / BILLING_CHUNK_BYTES));
    count.readUnits += sample.units.read;
    count.writeUnits += sample.units.write;
    if (sample.error) count.errors += 1;
  }

  snapshot(): OperationCount[] {
    return [...this.counts.values()].map((count) => ({ ...count }));
  }

  reset(): void {
    this.counts.clear();
  }
}

/** `after - before`, per caller, service and operation. */
export function difference(after: readonly OperationCount[], before: readonly OperationCount[]): OperationCount[] {
  const key = (c: OperationCount) => `${c.caller}\u0000${c.service}\u0000${c.operation}`;
  const earlier = new Map(before.map((c) => [key(c), c]));
  return after
    .map((c) => {
      const b = earlier.get(key(c));
      return {
        ...c,
        requests: c.requests - (b?.requests ?? 0),
        chunks: c.chunks - (b?.chunks ?? 0),
        readUnits: c.readUnits - (b?.readUnits ?? 0),
        writeUnits: c.writeUnits - (b?.writeUnits ?? 0),
        errors: c.errors - (b?.errors ?? 0),
      };
    })
    .filter((c) => c.requests > 0);
}

export interface CountingProxyOptions {
  /** The emulator's endpoint, `http://127.0.0.1:<port>`. */
  readonly target: string;
  /** Who calls through this proxy (`functions`, `pollers`). */
  readonly caller: string;
  readonly ledger: RequestLedger;
}

export type CountingProxy = AwsProxy;

export function startCountingProxy(options: CountingProxyOptions): Promise<CountingProxy> {
  return startAwsProxy({
    target: options.target,
    afterForward: ({ operation, body }, answer) => {
      const responseBody = typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body;
      options.ledger.record(options.caller, operation, {
        bytes: Math.max(body.length, responseBody.length),
        units:
          operation.service === 'dynamodb'
            ? capacityUnits(operation.operation, body.toString('utf8'), responseBody.toString('utf8'))
            : { read: 0, write: 0 },
        error: answer.status >= 400,
      });
      return undefined;
    },
  });
}
