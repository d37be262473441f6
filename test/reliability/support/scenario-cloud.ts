/**
 * A local cloud for one reliability scenario: fault injection on, visibility timeouts
 * compressed (a failed delivery is back in seconds), and what the scenarios need to drive it
 * and to read it afterwards: a client that places orders like a careful user, the queues and
 * dead-letter queues, and a wait for the whole system to fall quiet.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { startLocalCloud, type LocalCloud } from '../../../local/cloud/local-cloud';
import { FaultInjector, type FaultPlan } from '../../../local/cloud/faults';
import { localClientConfig } from '../../../local/emulators/credentials';
import type { OrderView } from '../../../lambdas/order/application/order-view';
import type { PlaceOrderRequest } from '../../../local/demo';
import { eventually } from '../../support/waiting';
import { seededRandom } from '../../support/random';

/** Seconds a failed delivery stays hidden here (the template says 60: six times the function timeout). */
export const COMPRESSED_VISIBILITY_TIMEOUT_SECONDS = 2;

export type Item = Record<string, unknown>;

/** Every table of the stack by the context that owns it. */
export interface ContextTables {
  readonly order: string;
  readonly payment: string;
  readonly inventory: string;
  readonly eventLog: string;
}

export interface ScenarioCloud {
  readonly cloud: LocalCloud;
  /** The seed of the fault injector's random draws (RELIABILITY_SEED repeats a run). */
  readonly seed: number;
  readonly faults: FaultInjector;
  readonly apiUrl: string;
  readonly tables: ContextTables;
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  /** Every item of a table, unmarshalled. */
  scan(table: string): Promise<Item[]>;
  /** Messages waiting or in flight in the consumers' queues (dead-letter queues apart). */
  inFlight(): Promise<number>;
  /** Messages in every dead-letter queue, by queue name. */
  deadLetters(): Promise<Record<string, number>>;
  /** Records the event sources handed to functions so far, duplicates included. */
  deliveries(): number;
  stop(): Promise<void>;
}

export function scenarioSeed(): number {
  const fromEnv = Number(process.env.RELIABILITY_SEED);
  return Number.isInteger(fromEnv) ? fromEnv : Math.floor(Math.random() * 2 ** 31);
}

export interface ScenarioCloudOptions {
  readonly plan?: FaultPlan;
  readonly seed?: number;
  /** Where the functions' logs go (one file per function); default the local cloud's. */
  readonly logDir?: string;
}

export async function startScenarioCloud(options: ScenarioCloudOptions = {}): Promise<ScenarioCloud> {
  const seed = options.seed ?? scenarioSeed();
  const faults = new FaultInjector(options.plan ?? {}, seededRandom(seed));
  const cloud = await startLocalCloud({
    faults,
    visibilityTimeoutSeconds: COMPRESSED_VISIBILITY_TIMEOUT_SECONDS,
    ...(options.logDir ? { logDir: options.logDir } : {}),
  });
  const dynamodb = new DynamoDBClient(localClientConfig(cloud.endpoints.dynamodb));
  const sqs = new SQSClient(localClientConfig(cloud.endpoints.snsSqs));
  const tableOf = (prefix: string) => {
    const table = cloud.topology.tables.find((t) => t.logicalId.startsWith(prefix));
    if (!table) throw new Error(`no table whose logical id starts with ${prefix} (have ${cloud.topology.tables.map((t) => t.logicalId).join(', ')})`);
    return table.tableName;
  };
  const tables: ContextTables = { order: tableOf('Order'), payment: tableOf('Payment'), inventory: tableOf('Inventory'), eventLog: tableOf('EventLog') };
  const deadLetterArns = new Set(cloud.topology.queues.flatMap((q) => (q.redrive ? [q.redrive.deadLetterTargetArn] : [])));
  const consumerQueues = cloud.topology.queues.filter((q) => q.redrive);
  const deadLetterQueues = cloud.topology.queues.filter((q) => deadLetterArns.has(q.arn));

  const count = async (queueUrl: string, names: ('ApproximateNumberOfMessages' | 'ApproximateNumberOfMessagesNotVisible')[]) => {
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: names }));
    return names.reduce((sum, name) => sum + Number(Attributes?.[name] ?? 0), 0);
  };

  return {
    cloud,
    seed,
    faults,
    apiUrl: cloud.apiUrl,
    tables,
    dynamodb,
    sqs,
    async scan(table) {
      const items: Item[] = [];
      for await (const page of paginateScan({ client: dynamodb }, { TableName: table, ConsistentRead: true })) {
        for (const item of page.Items ?? []) items.push(unmarshall(item));
      }
      return items;
    },
    async inFlight() {
      const counts = await Promise.all(consumerQueues.map((q) => count(q.queueUrl, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'])));
      return counts.reduce((sum, n) => sum + n, 0);
    },
    async deadLetters() {
      const counts = await Promise.all(deadLetterQueues.map(async (q) => [q.queueName, await count(q.queueUrl, ['ApproximateNumberOfMessages'])] as const));
      return Object.fromEntries(counts.filter(([, n]) => n > 0));
    },
    deliveries: () => faults.deliveries.sqsRecords + faults.deliveries.streamRecords,
    async stop() {
      dynamodb.destroy();
      sqs.destroy();
      await cloud.stop();
    },
  };
}

/** What a careful client does: one Idempotency-Key per order, the same key on every retry of a 5xx or a dropped connection. */
export async function placeOrder(apiUrl: string, request: PlaceOrderRequest, attempts = 6): Promise<OrderView> {
  const key = randomUUID();
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const response = await fetch(`${apiUrl}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(request),
      });
      const text = await response.text();
      if (response.status === 201 || response.status === 200) return JSON.parse(text) as OrderView;
      last = `${response.status} ${text}`;
      if (response.status < 500) break;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
  }
  throw new Error(`POST /orders failed after retries: ${last}`);
}

/** Runs `task` for 0..count-1 with at most `concurrency` at once; resolves with every result. */
export async function bounded<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await task(index);
      }
    }),
  );
  return results;
}

/**
 * Waits until `settled` holds and every consumer queue is empty, twice in a row a poll apart
 * (a queue can look empty for an instant while a stream batch is being published).
 */
export async function untilQuiet(env: ScenarioCloud, settled: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  let quietPolls = 0;
  await eventually(
    async () => {
      // Queues first: they are cheap to ask, and while they hold messages nothing else matters.
      const quiet = (await env.inFlight()) === 0 && (await settled());
      quietPolls = quiet ? quietPolls + 1 : 0;
      return quietPolls >= 2 ? true : undefined;
    },
    { timeoutMs, intervalMs: 1_000, what },
  );
}
