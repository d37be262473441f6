/**
 * fauxqs as started by local/emulators: on 127.0.0.1 only, SNS to SQS fan-out with raw delivery
 * and a MessageAttributes filter policy, and SQS redrive to a dead-letter queue.
 */
import {
  CreateTopicCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
  type MessageAttributeValue,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { localClientConfig } from '../../../local/emulators/credentials';
import { startFauxqs, type RunningFauxqs } from '../../../local/emulators/fauxqs';
import { HAS_PROC_NET, connectOutcome, listeningAddresses, nonLoopbackIPv4 } from './support/sockets';
import { eventually } from '../../support/waiting';

const STARTUP_TIMEOUT_MS = 60_000;
const OTHER_ADDRESS = nonLoopbackIPv4();

let fauxqs: RunningFauxqs;
let sns: SNSClient;
let sqs: SQSClient;

beforeAll(async () => {
  fauxqs = await startFauxqs();
  sns = new SNSClient(localClientConfig(fauxqs.endpoint));
  sqs = new SQSClient(localClientConfig(fauxqs.endpoint));
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  sns?.destroy();
  sqs?.destroy();
  await fauxqs?.stop();
}, STARTUP_TIMEOUT_MS);

async function createQueue(name: string, attributes?: Record<string, string>): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const url = QueueUrl as string;
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return { url, arn: Attributes?.QueueArn as string };
}

async function queueDepth(url: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return { visible: Number(Attributes?.ApproximateNumberOfMessages), inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible) };
}

function stringAttribute(value: string): MessageAttributeValue {
  return { DataType: 'String', StringValue: value };
}

describe('where fauxqs listens', () => {
  it('answers on 127.0.0.1 at the port it reports', async () => {
    expect(fauxqs.endpoint).toBe(`http://127.0.0.1:${fauxqs.port}`);
    expect(fauxqs.port).toBeGreaterThan(0);
    expect(await connectOutcome('127.0.0.1', fauxqs.port)).toBe('connected');
  });

  (HAS_PROC_NET ? it : it.skip)('has its listening socket bound to 127.0.0.1 only (kernel socket table)', () => {
    expect(listeningAddresses(fauxqs.port)).toEqual(['127.0.0.1']);
  });

  (OTHER_ADDRESS ? it : it.skip)(`refuses connections on this machine's other address (${OTHER_ADDRESS ?? 'none'})`, async () => {
    expect(await connectOutcome(OTHER_ADDRESS as string, fauxqs.port)).toBe('ECONNREFUSED');
  });
});

describe('queue URLs', () => {
  const ENV = 'AWS_ENDPOINT_URL_SQS';
  const saved = process.env[ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[ENV];
    else process.env[ENV] = saved;
  });

  it('point at the emulator itself, so a client given its endpoint by AWS_ENDPOINT_URL_SQS reaches it', async () => {
    const { url } = await createQueue('url-probe');
    expect(new URL(url).origin).toBe(fauxqs.endpoint);

    // Such a client sends each request to the QueueUrl's host (the SDK's useQueueUrlAsEndpoint).
    process.env[ENV] = fauxqs.endpoint;
    const { endpoint: _none, ...withoutEndpoint } = localClientConfig(fauxqs.endpoint);
    const envConfigured = new SQSClient(withoutEndpoint);
    try {
      await expect(envConfigured.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'hello' }))).resolves.toMatchObject({
        MessageId: expect.any(String),
      });
    } finally {
      envConfigured.destroy();
    }
    expect(await queueDepth(url)).toEqual({ visible: 1, inFlight: 0 });
  });
});

describe('SNS to SQS with raw delivery and a filter policy', () => {
  it('delivers only the messages whose attributes match, as raw bodies with their attributes', async () => {
    const queue = await createQueue('order-events');
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'domain-events' }));
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: queue.arn,
        Attributes: {
          RawMessageDelivery: 'true',
          FilterPolicy: JSON.stringify({ eventType: ['OrderPlaced', 'OrderCancelled'] }),
        },
        ReturnSubscriptionArn: true,
      }),
    );

    const publish = (body: object, attributes: Record<string, MessageAttributeValue>) =>
      sns.send(new PublishCommand({ TopicArn, Message: JSON.stringify(body), MessageAttributes: attributes }));
    await publish({ n: 1 }, { eventType: stringAttribute('PaymentCaptured') });
    await publish({ n: 2 }, { eventType: stringAttribute('OrderPlaced'), source: stringAttribute('order') });
    await publish({ n: 3 }, {});
    await publish({ n: 4 }, { eventType: stringAttribute('OrderCancelled') });
    await publish({ n: 5 }, { type: stringAttribute('OrderPlaced') });

    const received: Message[] = [];
    await eventually(
      async () => {
        const { Messages } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], WaitTimeSeconds: 1 }),
        );
        received.push(...(Messages ?? []));
        return received.length >= 2 ? true : undefined;
      },
      { timeoutMs: 10_000, what: 'the two matching messages' },
    );

    const byN = new Map(received.map((m) => [(JSON.parse(m.Body ?? '{}') as { n: number }).n, m]));
    expect([...byN.keys()].sort()).toEqual([2, 4]);
    // Raw delivery: the published body itself, not an SNS envelope, and the attributes as SQS ones.
    expect(byN.get(2)?.Body).toBe('{"n":2}');
    expect(byN.get(2)?.MessageAttributes).toEqual({
      eventType: { DataType: 'String', StringValue: 'OrderPlaced' },
      source: { DataType: 'String', StringValue: 'order' },
    });
    // Nothing else arrived: the queue is empty apart from the two in flight.
    expect(await queueDepth(queue.url)).toEqual({ visible: 0, inFlight: 2 });
  });
});

describe('SQS redrive to a dead-letter queue', () => {
  it('moves a message received maxReceiveCount times without being deleted to the DLQ', async () => {
    const maxReceiveCount = 2;
    const dlq = await createQueue('payments-dlq');
    const source = await createQueue('payments', {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount }),
    });
    const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: 'poison' }));

    // Receive without deleting, with no visibility timeout so the message is visible again at once.
    const receiveFromSource = () =>
      sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: source.url,
          VisibilityTimeout: 0,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      );
    for (let count = 1; count <= maxReceiveCount; count += 1) {
      const { Messages } = await receiveFromSource();
      expect(Messages?.map((m) => [m.MessageId, m.Attributes?.ApproximateReceiveCount])).toEqual([[MessageId, String(count)]]);
    }
    // fauxqs, like SQS, moves the message on the next receive attempt once the count is exceeded.
    const { Messages: afterLimit } = await receiveFromSource();
    expect(afterLimit ?? []).toEqual([]);

    const deadLetter = await eventually(
      async () => {
        const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.url, WaitTimeSeconds: 1 }));
        return Messages?.[0];
      },
      { timeoutMs: 10_000, what: 'the message in the dead-letter queue' },
    );
    expect(deadLetter).toMatchObject({ MessageId, Body: 'poison' });
    expect(await queueDepth(source.url)).toEqual({ visible: 0, inFlight: 0 });
  });
});
