/**
 * `orders dlq redrive order/outbox` on the real emulators, wired as `npm start` wires them: the
 * stack provisioned from the synthesized template into DynamoDB Local and fauxqs, the Order
 * table's stream read by our stream poller with the stack's filter into the real stream
 * dispatcher. While the publishing side is down, the poller gives up on an order's event and
 * sends the batch's location to the failure queue, as Lambda does; once it is back, the redrive
 * writes the outbox item again and the same event goes out through the normal path.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { LOCAL_CLOUD_OUTPUT, type LocalCloudOutput } from '../../../cli/local-cloud-output';
import { EXIT, run } from '../../../cli/main';
import { readIfPresent } from '../../../cli/process-deps';
import { OrderService } from '../../../lambdas/order/application/order-service';
import { StoredOrderRepository } from '../../../lambdas/order/infrastructure/stored-order-repository';
import type { AnyEnvelope } from '../../../lambdas/shared/events/envelope';
import { DynamoDbStore } from '../../../lambdas/shared/infrastructure/dynamodb-store';
import { createStreamDispatcher } from '../../../lambdas/shared/infrastructure/stream-dispatcher';
import type { LocalEndpoints, LocalTopology, StreamMapping } from '../../../local/cloud/model';
import { provision } from '../../../local/cloud/provision/provision';
import { StreamPoller, type StreamFailureRecord } from '../../../local/cloud/runtime/stream-poller';
import { DEFAULT_CLOUD_ASSEMBLY, templatePath } from '../../../local/cloud/synth';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, localClientConfig } from '../../../local/emulators/credentials';
import { startDynamoDbLocal, type RunningDynamoDbLocal } from '../../../local/emulators/dynamodb-local';
import { startFauxqs, type RunningFauxqs } from '../../../local/emulators/fauxqs';
import { cliUnderTest } from '../../support/cli';
import { eventually } from '../../support/waiting';

const SETUP_TIMEOUT_MS = 90_000;
const WAIT = { timeoutMs: 20_000, intervalMs: 50 };

let dynamo: RunningDynamoDbLocal;
let fauxqs: RunningFauxqs;
let endpoints: LocalEndpoints;
let topology: LocalTopology;
let ddb: DynamoDBClient;
let sqs: SQSClient;
let dir: string;
let poller: StreamPoller | undefined;

beforeAll(async () => {
  [dynamo, fauxqs] = await Promise.all([startDynamoDbLocal(), startFauxqs()]);
  endpoints = { dynamodb: dynamo.endpoint, snsSqs: fauxqs.endpoint, region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID };
  topology = await provision(DEFAULT_CLOUD_ASSEMBLY, endpoints);
  ddb = new DynamoDBClient(localClientConfig(dynamo.endpoint));
  sqs = new SQSClient(localClientConfig(fauxqs.endpoint));
  dir = mkdtempSync(path.join(os.tmpdir(), 'dlq-outbox-'));
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await poller?.close();
  ddb?.destroy();
  sqs?.destroy();
  await Promise.all([dynamo?.stop(), fauxqs?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
}, SETUP_TIMEOUT_MS);

/** What `npm start` writes to .local-cloud/outputs.json for these emulators. */
function localCloudOutputs(): string {
  const local: LocalCloudOutput = {
    stackName: topology.stackName,
    region: endpoints.region,
    endpoints: { sqs: endpoints.snsSqs, sns: endpoints.snsSqs, dynamodb: endpoints.dynamodb },
    queues: topology.queues.map((q) => ({ logicalId: q.logicalId, url: q.queueUrl })),
    templateFile: templatePath(),
  };
  const file = path.join(dir, 'outputs.json');
  writeFileSync(file, JSON.stringify({ ...topology.outputs, [LOCAL_CLOUD_OUTPUT]: local }));
  return file;
}

/** The Order table's outbox mapping as the template declares it (filter, batch size, failure queue). */
function orderOutboxMapping(): StreamMapping & { onFailureQueueUrl: string } {
  const table = topology.tables.find((t) => t.logicalId.startsWith('OrderTable'));
  const mapping = topology.streamMappings.find((m) => m.tableName === table?.tableName);
  if (!mapping?.onFailureQueueUrl) throw new Error('the template has no Order outbox mapping with a failure queue');
  return { ...mapping, onFailureQueueUrl: mapping.onFailureQueueUrl };
}

async function queueCounts(queueUrl: string): Promise<{ waiting: number; inFlight: number }> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return { waiting: Number(Attributes.ApproximateNumberOfMessages), inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible) };
}

describe('orders dlq redrive order/outbox on DynamoDB Local and fauxqs', () => {
  it('given the dispatcher gave up on an order’s event, when redriven, then a new outbox insert with the same envelope reaches the dispatcher and the failure queue is empty', async () => {
    // given the Order table's stream read into the real stream dispatcher, whose publishing side is down
    const mapping = orderOutboxMapping();
    let publishing = false;
    const published: AnyEnvelope[] = [];
    const delivered: DynamoDBRecord[] = [];
    const dispatch = createStreamDispatcher({
      dispatcher: {
        dispatchBatch: async (events) => {
          if (!publishing) return events.map((event) => ({ event, reason: 'SNS is unreachable' }));
          published.push(...events);
          return [];
        },
      },
    });
    poller = new StreamPoller({
      // Two attempts instead of the stack's eleven: the test needs the give-up, not the wait.
      mapping: { ...mapping, maximumRetryAttempts: 1 },
      endpoints,
      invoke: async (_functionLogicalId, event) => {
        const batch = event as DynamoDBStreamEvent;
        delivered.push(...batch.Records);
        return dispatch(batch);
      },
      retryDelayMs: 10,
      pollIntervalMs: 20,
      idlePollIntervalMs: 20,
      log: () => undefined,
    });
    poller.start();
    // and an order placed: its state and its outbox item written in one transaction
    const store = new DynamoDbStore({ client: ddb, tableName: mapping.tableName, source: 'order' });
    const service = new OrderService({ orders: new StoredOrderRepository(store), clock: () => new Date(), ids: () => crypto.randomUUID() });
    const order = await service.placeOrder({ customerId: 'alice', lines: [{ sku: 'BOOK-DDD', quantity: 1, unitPrice: 4500 }] });
    // and the poller gave up on it, sending the batch's location to the failure queue as Lambda would
    await eventually(async () => ((await queueCounts(mapping.onFailureQueueUrl)).waiting === 1 ? true : undefined), { ...WAIT, what: 'the failure record in the Order outbox failure queue' });
    const [original] = delivered;
    const originalImage = unmarshall(original?.dynamodb?.NewImage as Parameters<typeof unmarshall>[0]);
    expect(originalImage).toMatchObject({ kind: 'outbox', eventType: 'order.placed', pk: `ORDER#${order.orderId}` });
    expect(published).toEqual([]);
    // and publishing works again
    publishing = true;
    const { deps, lines } = cliUnderTest({ localOutputsFile: localCloudOutputs(), readFile: readIfPresent });

    // when
    const code = await run(['dlq', 'redrive', 'order/outbox'], deps);

    // then the command says it wrote the item again and deleted the record
    expect(lines.err.filter((line) => !line.startsWith('failure record '))).toEqual([]);
    expect(code).toBe(EXIT.OK);
    expect(lines.out[0]).toMatch(new RegExp(`^✔ failure record \\S+ \\(table ${mapping.tableName}, shard \\S+, sequence \\d+ to \\d+\\): 1 outbox item\\(s\\) written again; record deleted$`));
    expect(await queueCounts(mapping.onFailureQueueUrl)).toEqual({ waiting: 0, inFlight: 0 });
    // and a fresh outbox insert of the same envelope, under a key of its own, came down the stream to the dispatcher
    const replayed = await eventually(
      () => {
        const found = delivered.find(
          (record) => record.eventName === 'INSERT' && record.dynamodb?.NewImage?.sk?.S !== originalImage.sk && record.dynamodb?.NewImage?.envelope?.S === originalImage.envelope,
        );
        return found && published.length > 0 ? found : undefined;
      },
      { ...WAIT, what: 'the replayed outbox insert delivered to the dispatcher' },
    );
    const replayedImage = unmarshall(replayed.dynamodb?.NewImage as Parameters<typeof unmarshall>[0]);
    expect(replayedImage).toMatchObject({ pk: originalImage.pk, kind: 'outbox', sequence: originalImage.sequence, index: originalImage.index, replayOf: originalImage.sk });
    expect(replayedImage.sk).toMatch(new RegExp(`^${originalImage.sk}#replay-\\d{4}-\\d\\d-\\d\\dT`));
    // and the dispatcher published the very event the order had recorded
    expect(published).toEqual([JSON.parse(originalImage.envelope as string)]);
    // and the original outbox item is still there beside the new one
    const { Items = [] } = await ddb.send(
      new QueryCommand({ TableName: mapping.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :outbox)', ExpressionAttributeValues: { ':pk': { S: originalImage.pk }, ':outbox': { S: 'OUTBOX#' } } }),
    );
    expect(Items.map((item) => unmarshall(item).sk).sort()).toEqual([originalImage.sk, replayedImage.sk]);
    // and no further failure came of it
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: mapping.onFailureQueueUrl, WaitTimeSeconds: 0 }));
    expect(Messages.map((m) => (JSON.parse(m.Body ?? '{}') as StreamFailureRecord).DDBStreamBatchInfo)).toEqual([]);
  }, 60_000);
});
