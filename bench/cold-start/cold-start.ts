/**
 * Cold start per function: the bundle `cdk synth` produced, loaded by a fresh Node process with
 * the function's local environment, handling one realistic first event against the running local
 * cloud; beside a floor bundle that holds only the SDK client the function must use and makes the
 * equivalent calls, built by esbuild with the options of lib/constructs/context-function.ts.
 *
 * First events come from real orders: the local cloud's pollers are stopped, so each cold
 * function gets an event nobody handled before (a fresh order's outbox, read from its table), and
 * does the whole work of its first invocation, as in production.
 */
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBClient, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, DynamoDBStreamEvent, AttributeValue as LambdaAttributeValue, SQSEvent } from 'aws-lambda';
import { build } from 'esbuild';
import type { EventType } from '../../lambdas/shared/events/catalogue';
import type { LocalCloud } from '../../local/cloud/local-cloud';
import type { LocalFunction, SqsMapping } from '../../local/cloud/model';
import { localClientConfig } from '../../local/emulators/credentials';
import { median, ratio } from '../stats';
import { composition, extraOver } from './composition';
import { benchOrder, LINES_PER_ORDER } from '../orders';
import { describeFunctions, findConsumer, tableOf, type BenchFunction, type FunctionRole } from '../topology';

const CHILD = path.join(__dirname, 'child.js');
const FLOOR_SOURCES = path.join(__dirname, 'floors');
const CHILD_TIMEOUT_MS = 30_000;

type Kind = FunctionRole['kind'];

export interface ColdStartSample {
  readonly bootMs: number;
  readonly loadMs: number;
  readonly invokeMs: number;
  readonly ok: boolean;
  readonly error?: string;
}

export interface ColdStartRow {
  readonly functionLogicalId: string;
  readonly kind: Kind;
  readonly bundleBytes: number;
  readonly sourceMapBytes: number;
  readonly floorBytes: number;
  /** Medians over the repetitions: load plus first invocation. */
  readonly coldMs: number;
  readonly loadMs: number;
  readonly invokeMs: number;
  readonly floorColdMs: number;
  readonly floorLoadMs: number;
  readonly floorInvokeMs: number;
  readonly sizeRatio: number;
  readonly timeRatio: number;
  /** The fastest of the runs, real and floor: what noise from other work on the machine cannot lengthen. */
  readonly bestColdMs: number;
  readonly bestFloorColdMs: number;
  /** What the bundle holds beyond its floor, by package or project folder, in bytes (from the source maps). */
  readonly extraOverFloor: readonly (readonly [string, number])[];
  readonly samples: readonly ColdStartSample[];
  readonly floorSamples: readonly ColdStartSample[];
  readonly errors: readonly string[];
}

/** What a consumer's floor reads and writes for one message: items read at once, items in its transaction. */
export interface FloorShape {
  readonly reads: number;
  readonly writes: number;
}
/** A consumer that changes one aggregate and publishes one event: read it, write it with its outbox and inbox items. */
const CONSUMER_SHAPE: FloorShape = { reads: 1, writes: 3 };

export interface FloorBundle {
  readonly kind: Kind;
  readonly file: string;
  readonly bytes: number;
}

/** Builds the four floor bundles exactly as NodejsFunction builds the real ones. */
export async function buildFloorBundles(outDir: string): Promise<Map<Kind, FloorBundle>> {
  const bundles = new Map<Kind, FloorBundle>();
  for (const kind of ['api', 'consumer', 'recorder', 'dispatcher'] as const) {
    const file = path.join(outDir, kind, 'index.js');
    await build({
      entryPoints: [path.join(FLOOR_SOURCES, `${kind}.ts`)],
      outfile: file,
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      minify: true,
      sourcemap: true,
      sourcesContent: false,
      mainFields: ['module', 'main'],
      logLevel: 'warning',
    });
    bundles.set(kind, { kind, file, bytes: statSync(file).size });
  }
  return bundles;
}

export interface ColdStartOptions {
  readonly repetitions: number;
  /** Where the floor bundles and the event files go. */
  readonly workDir: string;
  readonly log?: (line: string) => void;
}

/** Measures every function. Stops the local cloud's pollers (for good): call it last on that cloud. */
export async function measureColdStarts(cloud: LocalCloud, options: ColdStartOptions): Promise<ColdStartRow[]> {
  const log = options.log ?? (() => undefined);
  mkdirSync(options.workDir, { recursive: true });
  const floors = await buildFloorBundles(path.join(options.workDir, 'floors'));
  await Promise.all([...cloud.sqsPollers, ...cloud.streamPollers].map((poller) => poller.stop()));

  const functions = describeFunctions(cloud.topology);
  const dynamodb = new DynamoDBClient(localClientConfig(cloud.endpoints.dynamodb));
  const samples = new Map<string, { real: ColdStartSample[]; floor: ColdStartSample[] }>(functions.map((f) => [f.fn.logicalId, { real: [], floor: [] }]));
  const kinds = new Map(functions.map((f) => [f.fn.logicalId, f.role.kind]));
  const eventFile = path.join(options.workDir, 'event.json');

  /** One cold start of the real bundle and one of its floor, with the same event. */
  let round = 0;
  const coldStart = async (target: BenchFunction, event: unknown, shape: FloorShape = CONSUMER_SHAPE): Promise<unknown> => {
    writeFileSync(eventFile, JSON.stringify(event));
    const floor = floors.get(target.role.kind);
    if (!floor) throw new Error(`no floor bundle for ${target.role.kind}`);
    // Which of the two goes first alternates from round to round, so neither always finds the machine as the other left it.
    const realFirst = round % 2 === 0;
    const floorEnvironment = { BENCH_FLOOR_READ_ITEMS: String(shape.reads), BENCH_FLOOR_WRITE_ITEMS: String(shape.writes) };
    const first = await runChild(target.fn, realFirst ? bundleOf(target.fn) : floor.file, eventFile, realFirst ? {} : floorEnvironment);
    const second = await runChild(target.fn, realFirst ? floor.file : bundleOf(target.fn), eventFile, realFirst ? floorEnvironment : {});
    const [real, floorRun] = realFirst ? [first, second] : [second, first];
    const entry = samples.get(target.fn.logicalId);
    entry?.real.push(real.sample);
    entry?.floor.push(floorRun.sample);
    if (!real.sample.ok) throw new Error(`${target.fn.logicalId} failed its cold start: ${real.sample.error ?? ''}`);
    return real.result;
  };
  /** The same function, warm, in the local cloud's host (to prepare an event, not measured). */
  const warm = (target: BenchFunction, event: unknown) => cloud.host.invoke(target.fn.logicalId, event);

  const tables = { order: tableOf(cloud.topology, 'order'), payment: tableOf(cloud.topology, 'payment'), inventory: tableOf(cloud.topology, 'inventory') };
  const outbox = async (table: string, pk: string, type: EventType) => {
    const { Items } = await dynamodb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :outbox)',
        ExpressionAttributeValues: { ':pk': { S: pk }, ':outbox': { S: 'OUTBOX#' } },
        ConsistentRead: true,
      }),
    );
    const item = (Items ?? []).find((candidate) => candidate['eventType']?.S === type);
    const envelope = item?.['envelope']?.S;
    if (!item || !envelope) throw new Error(`no ${type} in the outbox of ${pk}`);
    return { item, body: envelope };
  };
  const byRole = (predicate: (f: BenchFunction) => boolean, what: string) => {
    const found = functions.find(predicate);
    if (!found) throw new Error(`no ${what} in the topology`);
    return found;
  };
  const api = byRole((f) => f.role.kind === 'api', 'API function');
  const recorder = byRole((f) => f.role.kind === 'recorder', 'event log recorder');
  const dispatcher = (context: string) => byRole((f) => f.role.kind === 'dispatcher' && f.role.context === context, `${context} dispatcher`);
  const consumer = (context: 'order' | 'payment' | 'inventory', type: EventType) => findConsumer(functions, context, type);
  const mappingOf = (f: BenchFunction): SqsMapping => {
    if (f.role.kind === 'consumer') return f.role.mapping;
    if (f.role.kind === 'recorder' && f.role.mappings[0]) return f.role.mappings[0];
    throw new Error(`${f.fn.logicalId} has no queue`);
  };
  const sqs = (f: BenchFunction, body: string) => sqsEvent(body, mappingOf(f), cloud.endpoints.region);
  const stream = (context: 'order' | 'payment' | 'inventory', item: Record<string, AttributeValue>) => {
    const mapping = cloud.topology.streamMappings.find((m) => m.tableName === tables[context]);
    if (!mapping) throw new Error(`no stream mapping on the ${context} table`);
    return streamEvent(item, mapping.streamArn, cloud.endpoints.region);
  };
  const placeWarm = async (sequence: number, lines: { sku: string; quantity: number; unitPrice: number }[]) => {
    const response = await fetch(`${cloud.apiUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: `cold-${sequence}`, lines }),
    });
    const order = (await response.json()) as { orderId?: string };
    if (response.status !== 201 || !order.orderId) throw new Error(`POST /orders answered ${response.status}`);
    return order.orderId;
  };

  try {
    for (let rep = 0; rep < options.repetitions; rep += 1, round += 1) {
      log(`cold starts, round ${rep + 1} of ${options.repetitions}`);
      // The successful order, each hop's function cold, fed the previous hop's real event.
      const placed = (await coldStart(api, httpPostEvent('/orders', benchOrder(rep, 'cold')))) as { statusCode?: number; body?: string };
      const orderId = (JSON.parse(placed.body ?? '{}') as { orderId?: string }).orderId;
      if (placed.statusCode !== 201 || !orderId) throw new Error(`the API's cold start answered ${placed.statusCode ?? '?'}`);
      const orderPlaced = await outbox(tables.order, `ORDER#${orderId}`, 'order.placed');
      await coldStart(dispatcher('order'), stream('order', orderPlaced.item));
      await coldStart(recorder, sqs(recorder, orderPlaced.body));
      const charge = consumer('payment', 'order.placed');
      await coldStart(charge, sqs(charge, orderPlaced.body));
      const approved = await outbox(tables.payment, `PAYMENT#${orderId}`, 'payment.approved');
      await coldStart(dispatcher('payment'), stream('payment', approved.item));
      const confirm = consumer('order', 'payment.approved');
      await coldStart(confirm, sqs(confirm, approved.body));
      const paid = await outbox(tables.order, `ORDER#${orderId}`, 'order.paid');
      const reserve = consumer('inventory', 'order.paid');
      // The reservation and a stock item per line are read, and all of them written with the outbox and inbox items.
      await coldStart(reserve, sqs(reserve, paid.body), { reads: 1 + LINES_PER_ORDER, writes: 3 + LINES_PER_ORDER });
      const reserved = await outbox(tables.inventory, `RESERVATION#${orderId}`, 'stock.reserved');
      await coldStart(dispatcher('inventory'), stream('inventory', reserved.item));
      const apply = consumer('order', 'stock.reserved');
      // STOCK_RESERVED publishes nothing: the order and the inbox item.
      await coldStart(apply, sqs(apply, reserved.body), { reads: 1, writes: 2 });

      // A declined payment (total above the limit), prepared warm.
      const declinedOrder = await placeWarm(rep, [{ sku: 'TSHIRT-CQRS', quantity: 60, unitPrice: 2500 }]);
      await warm(charge, sqs(charge, (await outbox(tables.order, `ORDER#${declinedOrder}`, 'order.placed')).body));
      const declined = await outbox(tables.payment, `PAYMENT#${declinedOrder}`, 'payment.declined');
      const cancelOnDeclined = consumer('order', 'payment.declined');
      await coldStart(cancelOnDeclined, sqs(cancelOnDeclined, declined.body));

      // Out of stock, prepared warm up to the failed reservation.
      const soldOut = await placeWarm(rep, [{ sku: 'SOLD-OUT', quantity: 1, unitPrice: 999 }]);
      await warm(charge, sqs(charge, (await outbox(tables.order, `ORDER#${soldOut}`, 'order.placed')).body));
      await warm(confirm, sqs(confirm, (await outbox(tables.payment, `PAYMENT#${soldOut}`, 'payment.approved')).body));
      await warm(reserve, sqs(reserve, (await outbox(tables.order, `ORDER#${soldOut}`, 'order.paid')).body));
      const failed = await outbox(tables.inventory, `RESERVATION#${soldOut}`, 'stock.reservation-failed');
      const cancelOnFailed = consumer('order', 'stock.reservation-failed');
      await coldStart(cancelOnFailed, sqs(cancelOnFailed, failed.body));

      // The customer cancels a paid order whose stock Inventory has just reserved (prepared warm):
      // Payment refunds it and Inventory releases the stock.
      const regret = await placeWarm(rep, benchOrder(rep, 'regret').lines.map((line) => ({ ...line })));
      await warm(charge, sqs(charge, (await outbox(tables.order, `ORDER#${regret}`, 'order.placed')).body));
      await warm(confirm, sqs(confirm, (await outbox(tables.payment, `PAYMENT#${regret}`, 'payment.approved')).body));
      await warm(reserve, sqs(reserve, (await outbox(tables.order, `ORDER#${regret}`, 'order.paid')).body));
      const cancelResponse = await fetch(`${cloud.apiUrl}/orders/${encodeURIComponent(regret)}/cancel`, { method: 'POST' });
      if (cancelResponse.status !== 200) throw new Error(`cancelling a paid order answered ${cancelResponse.status}`);
      const cancelled = await outbox(tables.order, `ORDER#${regret}`, 'order.cancelled');
      const refund = consumer('payment', 'order.cancelled');
      await coldStart(refund, sqs(refund, cancelled.body));
      const release = consumer('inventory', 'order.cancelled');
      // The reservation and its stock items are read, and written back with the inbox item (releasing publishes nothing).
      await coldStart(release, sqs(release, cancelled.body), { reads: 1 + LINES_PER_ORDER, writes: 2 + LINES_PER_ORDER });
    }
  } finally {
    dynamodb.destroy();
  }

  return functions.map(({ fn }) => {
    const entry = samples.get(fn.logicalId) ?? { real: [], floor: [] };
    const kind = kinds.get(fn.logicalId) as Kind;
    const floor = floors.get(kind) as FloorBundle;
    const cold = (s: ColdStartSample) => s.loadMs + s.invokeMs;
    const bundle = bundleOf(fn);
    const coldMs = median(entry.real.map(cold));
    const floorColdMs = median(entry.floor.map(cold));
    const bundleBytes = statSync(bundle).size;
    return {
      functionLogicalId: fn.logicalId,
      kind,
      bundleBytes,
      sourceMapBytes: fileSize(`${bundle}.map`),
      floorBytes: floor.bytes,
      coldMs,
      loadMs: median(entry.real.map((s) => s.loadMs)),
      invokeMs: median(entry.real.map((s) => s.invokeMs)),
      floorColdMs,
      floorLoadMs: median(entry.floor.map((s) => s.loadMs)),
      floorInvokeMs: median(entry.floor.map((s) => s.invokeMs)),
      sizeRatio: ratio(bundleBytes, floor.bytes),
      timeRatio: ratio(coldMs, floorColdMs),
      bestColdMs: Math.min(...entry.real.map(cold)),
      bestFloorColdMs: Math.min(...entry.floor.map(cold)),
      extraOverFloor: extraOver(composition(bundle), composition(floor.file)),
      samples: entry.real,
      floorSamples: entry.floor,
      errors: [...entry.real, ...entry.floor].flatMap((s) => (s.ok ? [] : [s.error ?? 'failed'])),
    };
  });
}

function bundleOf(fn: LocalFunction): string {
  const dot = fn.handler.lastIndexOf('.');
  return path.join(fn.codeDir, `${fn.handler.slice(0, dot)}.js`);
}

function exportOf(fn: LocalFunction): string {
  return fn.handler.slice(fn.handler.lastIndexOf('.') + 1);
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** A fresh `node` with the function's environment (NODE_OPTIONS included), as Lambda starts one. */
function runChild(fn: LocalFunction, bundle: string, eventFile: string, extraEnvironment: Readonly<Record<string, string>>): Promise<{ sample: ColdStartSample; result: unknown }> {
  return new Promise((resolve) => {
    const output: string[] = [];
    const child = spawn(process.execPath, [CHILD, bundle, exportOf(fn), eventFile], {
      cwd: path.dirname(bundle),
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        LANG: 'en_US.UTF-8',
        ...fn.environment,
        LAMBDA_TASK_ROOT: path.dirname(bundle),
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
        // Lambda runs Node 22: the SDK's warning about Node 20 is no part of a function's start.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...extraEnvironment,
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let settled = false;
    const finish = (sample: ColdStartSample, result: unknown = null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ sample, result });
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ bootMs: 0, loadMs: Number.NaN, invokeMs: Number.NaN, ok: false, error: `timed out after ${CHILD_TIMEOUT_MS} ms` });
    }, CHILD_TIMEOUT_MS);
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.on('message', (message: ColdStartSample & { result?: unknown }) => {
      const { result, ...sample } = message;
      const failures = (result as { batchItemFailures?: unknown[] } | null)?.batchItemFailures;
      if (sample.ok && Array.isArray(failures) && failures.length > 0) {
        finish({ ...sample, ok: false, error: `reported ${failures.length} failed record(s): ${output.join('').slice(-500)}` }, result);
      } else {
        finish(sample.ok ? sample : { ...sample, error: `${sample.error ?? ''} ${output.join('').slice(-500)}` }, result);
      }
    });
    child.on('exit', (code) => finish({ bootMs: 0, loadMs: Number.NaN, invokeMs: Number.NaN, ok: false, error: `exited ${code} without a report: ${output.join('').slice(-500)}` }));
  });
}

function httpPostEvent(rawPath: string, body: unknown): APIGatewayProxyEventV2 {
  const now = Date.now();
  const text = JSON.stringify(body);
  return {
    version: '2.0',
    routeKey: `POST ${rawPath}`,
    rawPath,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), host: '127.0.0.1' },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: '127.0.0.1',
      domainPrefix: 'local',
      http: { method: 'POST', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: randomUUID(),
      routeKey: `POST ${rawPath}`,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    body: text,
    isBase64Encoded: false,
  };
}

/** One message as Lambda's SQS event source delivers it (raw SNS delivery: the body is the envelope). */
function sqsEvent(body: string, mapping: SqsMapping, region: string): SQSEvent {
  const type = (JSON.parse(body) as { type: string }).type;
  const now = String(Date.now());
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: randomUUID(),
        body,
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: now, SenderId: '000000000000', ApproximateFirstReceiveTimestamp: now },
        messageAttributes: {
          type: { stringValue: type, stringListValues: [], binaryListValues: [], dataType: 'String' },
          version: { stringValue: '1', stringListValues: [], binaryListValues: [], dataType: 'Number' },
        },
        md5OfBody: createHash('md5').update(body).digest('hex'),
        eventSource: 'aws:sqs',
        eventSourceARN: mapping.queueArn,
        awsRegion: region,
      },
    ],
  };
}

/** One outbox insert as Lambda's DynamoDB Streams event source delivers it. */
function streamEvent(item: Record<string, AttributeValue>, streamArn: string, region: string): DynamoDBStreamEvent {
  // The two AttributeValue types (SDK, aws-lambda) describe the same wire shape.
  const image = item as unknown as Record<string, LambdaAttributeValue>;
  const keys: Record<string, LambdaAttributeValue> = {};
  for (const name of ['pk', 'sk']) if (image[name]) keys[name] = image[name];
  return {
    Records: [
      {
        eventID: randomUUID().replaceAll('-', ''),
        eventName: 'INSERT',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: region,
        dynamodb: {
          ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
          Keys: keys,
          NewImage: image,
          SequenceNumber: `${Date.now()}000000000`,
          SizeBytes: JSON.stringify(item).length,
          StreamViewType: 'NEW_IMAGE',
        },
        eventSourceARN: streamArn,
      },
    ],
  };
}
