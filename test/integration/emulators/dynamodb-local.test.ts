/**
 * DynamoDB Local as started by local/emulators: it listens on 127.0.0.1 and nowhere else, it
 * runs the transactions and streams the adapters rely on, and stop() leaves no Java process.
 */
import {
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  TransactWriteItemsCommand,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { localClientConfig } from '../../../local/emulators/credentials';
import { startDynamoDbLocal, type RunningDynamoDbLocal } from '../../../local/emulators/dynamodb-local';
import { commandLine, isRunning } from '../../support/processes';
import {
  HAS_PROC_NET,
  connectOutcome,
  listenOnAllInterfaces,
  listenOnLoopback,
  listeningAddresses,
  nonLoopbackIPv4,
} from './support/sockets';
import { eventually } from '../../support/waiting';
import { createContextTable } from '../../../local/emulators/context-table';

const STARTUP_TIMEOUT_MS = 60_000;
const TABLE = 'emulator-probe';
const OTHER_ADDRESS = nonLoopbackIPv4();

let dynamo: RunningDynamoDbLocal;
let client: DynamoDBClient;
let streams: DynamoDBStreamsClient;

beforeAll(async () => {
  dynamo = await startDynamoDbLocal();
  client = new DynamoDBClient(localClientConfig(dynamo.endpoint));
  streams = new DynamoDBStreamsClient(localClientConfig(dynamo.endpoint));
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  client?.destroy();
  streams?.destroy();
  await dynamo?.stop();
}, STARTUP_TIMEOUT_MS);

/** Every record of every shard of the stream, from the start (TRIM_HORIZON). */
async function readWholeStream(streamArn: string): Promise<StreamRecord[]> {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const records: StreamRecord[] = [];
  for (const { ShardId } of StreamDescription?.Shards ?? []) {
    let { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    // An open shard always hands back a next iterator: stop at the first empty page.
    while (ShardIterator) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator }));
      records.push(...(page.Records ?? []));
      if (!page.Records?.length) break;
      ShardIterator = page.NextShardIterator;
    }
  }
  return records;
}

describe('where DynamoDB Local listens', () => {
  it('answers on 127.0.0.1', async () => {
    expect(dynamo.endpoint).toBe(`http://127.0.0.1:${dynamo.port}`);
    await expect(client.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: expect.any(Array) });
  });

  (HAS_PROC_NET ? it : it.skip)('has its listening socket bound to 127.0.0.1 only (kernel socket table)', () => {
    expect(listeningAddresses(dynamo.port)).toEqual(['127.0.0.1']);
  });

  (OTHER_ADDRESS ? it : it.skip)(`refuses connections on this machine's other address (${OTHER_ADDRESS ?? 'none'})`, async () => {
    const address = OTHER_ADDRESS as string;
    // Control: a server on all interfaces is reachable at that address, so a refusal below is
    // the bind address at work, not an unreachable interface.
    const control = await listenOnAllInterfaces();
    try {
      expect(await connectOutcome(address, control.port)).toBe('connected');
    } finally {
      await control.close();
    }
    expect(await connectOutcome(address, dynamo.port)).toBe('ECONNREFUSED');
    expect(await connectOutcome('127.0.0.1', dynamo.port)).toBe('connected');
  });
});

describe('a port that is taken', () => {
  it('fails with an error naming the port', async () => {
    const taken = await listenOnLoopback();
    try {
      await expect(startDynamoDbLocal({ port: taken.port })).rejects.toThrow(`Port ${taken.port} on 127.0.0.1 is taken`);
    } finally {
      await taken.close();
    }
  }, STARTUP_TIMEOUT_MS);
});

describe('tables, transactions and streams', () => {
  beforeAll(async () => {
    await createContextTable(client, TABLE, { stream: 'NEW_AND_OLD_IMAGES' });
  });

  it('commits a TransactWriteItems atomically and cancels one whose condition fails', async () => {
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Put: {
              TableName: TABLE,
              Item: { pk: { S: 'ORDER#1' }, sk: { S: 'STATE' }, version: { N: '1' } },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: TABLE,
              Item: { pk: { S: 'ORDER#1' }, sk: { S: 'OUTBOX#1' }, type: { S: 'OrderPlaced' } },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );

    const conflicting = client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Put: {
              TableName: TABLE,
              Item: { pk: { S: 'ORDER#1' }, sk: { S: 'STATE' }, version: { N: '1' } },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          { Put: { TableName: TABLE, Item: { pk: { S: 'ORDER#1' }, sk: { S: 'OUTBOX#2' } } } },
        ],
      }),
    );
    const error = await conflicting.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect((error as TransactionCanceledException).CancellationReasons?.map((r) => r.Code)).toEqual(['ConditionalCheckFailed', 'None']);
  });

  it('streams the committed transaction, and nothing of the cancelled one', async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: TABLE }));
    const streamArn = Table?.LatestStreamArn;
    expect(streamArn).toEqual(expect.stringContaining(`table/${TABLE}/stream/`));

    const records = await eventually(
      async () => {
        const all = await readWholeStream(streamArn as string);
        return all.length >= 2 ? all : undefined;
      },
      { timeoutMs: 10_000, what: 'the two stream records of the transaction' },
    );
    const bySortKey = new Map(records.map((r) => [r.dynamodb?.Keys?.['sk']?.S, r]));
    expect(records).toHaveLength(2);
    expect([...bySortKey.keys()].sort()).toEqual(['OUTBOX#1', 'STATE']);
    expect(records.every((r) => r.eventName === 'INSERT')).toBe(true);
    expect(bySortKey.get('OUTBOX#1')?.dynamodb?.NewImage).toEqual({ pk: { S: 'ORDER#1' }, sk: { S: 'OUTBOX#1' }, type: { S: 'OrderPlaced' } });
  });
});

describe('stop()', () => {
  it('kills the Java process and frees the port', async () => {
    const { pid, port } = dynamo;
    expect(isRunning(pid)).toBe(true);
    expect(commandLine(pid) ?? 'LoopbackDynamoDbLocal').toContain('LoopbackDynamoDbLocal');

    await dynamo.stop();

    expect(isRunning(pid)).toBe(false);
    expect(await connectOutcome('127.0.0.1', port)).toBe('ECONNREFUSED');
    await expect(dynamo.stop()).resolves.toBeUndefined();
  });
});
