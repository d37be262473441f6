import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { startAwsProxy, type AwsProxy } from '../../../local/cloud/aws-proxy';
import { errorAnswer, FaultInjector, InjectedCrashError, mergeBatchResponses, WRITE_OPERATIONS } from '../../../local/cloud/faults';
import { localClientConfig } from '../../../local/emulators/credentials';
import type { Invoke } from '../../../local/cloud/model';

const sqsBatch = (...ids: string[]) => ({ Records: ids.map((messageId) => ({ messageId, eventSource: 'aws:sqs' })) });

/** A generator that returns the given draws, then 0.99 forever. */
const draws = (...values: number[]) => () => values.shift() ?? 0.99;

describe('FaultInjector on the way to the functions', () => {
  it('hands each SQS batch to the function twice when deliveries are duplicated, and merges what failed', async () => {
    // given
    const calls: unknown[] = [];
    const answers = [{ batchItemFailures: [{ itemIdentifier: 'a' }] }, { batchItemFailures: [{ itemIdentifier: 'b' }] }];
    const invoke: Invoke = async (_id, event) => {
      calls.push(event);
      return answers.shift();
    };
    const faults = new FaultInjector({ duplicateDeliveries: true });
    // when
    const result = await faults.forSqs(invoke)('Fn', sqsBatch('a', 'b', 'c'));
    // then
    expect(calls).toHaveLength(2);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'a' }, { itemIdentifier: 'b' }] });
    expect(faults.faults.duplicateDelivery).toBe(3);
    expect(faults.deliveries.sqsRecords).toBe(6);
  });

  it('replays a stream batch only once it succeeded', async () => {
    // given
    let calls = 0;
    const faults = new FaultInjector({ replayStreamBatches: true });
    const succeeding: Invoke = async () => {
      calls += 1;
      return { batchItemFailures: [] };
    };
    const failing: Invoke = async () => ({ batchItemFailures: [{ itemIdentifier: '1' }] });
    // when
    await faults.forStream(succeeding)('Fn', { Records: [{}, {}] });
    const failed = await faults.forStream(failing)('Fn', { Records: [{}, {}] });
    // then
    expect(calls).toBe(2);
    expect(failed).toEqual({ batchItemFailures: [{ itemIdentifier: '1' }] });
    expect(faults.faults.streamReplay).toBe(2);
  });

  it('fails an invocation after its handler ran when the draw says crash', async () => {
    // given: the first draw crashes, the second does not
    let ran = 0;
    const invoke: Invoke = async () => {
      ran += 1;
      return { batchItemFailures: [] };
    };
    const faults = new FaultInjector({ crashAfterWrite: 0.5 }, draws(0.1, 0.9));
    const sqs = faults.forSqs(invoke);
    // when / then
    await expect(sqs('Fn', sqsBatch('a'))).rejects.toBeInstanceOf(InjectedCrashError);
    await expect(sqs('Fn', sqsBatch('a'))).resolves.toEqual({ batchItemFailures: [] });
    expect(ran).toBe(2);
    expect(faults.faults.crashAfterWrite).toBe(1);
  });

  it('merges two batch responses into the union of their failures', () => {
    expect(mergeBatchResponses(undefined, { batchItemFailures: [{ itemIdentifier: 'x' }] })).toEqual({ batchItemFailures: [{ itemIdentifier: 'x' }] });
    expect(mergeBatchResponses({ batchItemFailures: [] }, null)).toEqual({ batchItemFailures: [] });
  });
});

describe('FaultInjector in front of the emulators', () => {
  let upstream: Server;
  let upstreamCalls = 0;
  let proxy: AwsProxy;
  const faults = new FaultInjector();

  beforeAll(async () => {
    // A stand-in emulator that accepts every call.
    upstream = createServer((request, response) => {
      upstreamCalls += 1;
      request.resume();
      request.on('end', () => {
        const json = (request.headers['content-type'] ?? '').includes('json');
        response.writeHead(200, { 'content-type': json ? 'application/x-amz-json-1.0' : 'text/xml' });
        response.end(json ? '{}' : '<PublishResponse><PublishResult><MessageId>m-1</MessageId></PublishResult></PublishResponse>');
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const target = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    proxy = await startAwsProxy({ target, beforeForward: faults.beforeForward, afterForward: faults.afterForward });
  });
  afterAll(async () => {
    await proxy.stop();
    await new Promise((resolve) => upstream.close(resolve));
  });

  it('answers a share of writes with errors the SDK reads as throttling or a server error, and lets the rest through', async () => {
    // given: every write fails (share 1), reads pass; the SDK does not retry here
    faults.set({ sdkErrorShare: 1 });
    const dynamodb = new DynamoDBClient({ ...localClientConfig(proxy.endpoint), maxAttempts: 1 });
    const sns = new SNSClient({ ...localClientConfig(proxy.endpoint), maxAttempts: 1 });
    // when
    const put = dynamodb.send(new PutItemCommand({ TableName: 't', Item: { pk: { S: '1' } } }));
    const publish = sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:t', Message: 'm' }));
    // then
    await expect(put).rejects.toMatchObject({ name: expect.stringMatching(/^(ThrottlingException|InternalServerError)$/) });
    await expect(publish).rejects.toMatchObject({ name: expect.stringMatching(/^(Throttling|InternalFailure)$/) });
    faults.set({});
    await expect(sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:t', Message: 'm' }))).resolves.toMatchObject({ MessageId: 'm-1' });
    expect(Object.values(faults.injected()).reduce((a, b) => a + b, 0)).toBe(2);
    expect(faults.injected(faults.snapshot().faults)).toEqual({});
    dynamodb.destroy();
    sns.destroy();
  });

  it('injects half its errors after the call took effect: the emulator saw it, the caller hears it failed', async () => {
    // given: draws that skip the before-hook and fire the after-hook
    const seen = upstreamCalls;
    const after = new FaultInjector({ sdkErrorShare: 0.2 }, draws(0.5, 0.01, 0.2));
    const request = { operation: { service: 'dynamodb', operation: 'TransactWriteItems' }, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: Buffer.alloc(0) };
    // when
    const before = after.beforeForward(request);
    const answer = after.afterForward(request);
    // then
    expect(before).toBeUndefined();
    expect(answer).toMatchObject({ status: 400 });
    expect(after.faults.throttledAfter).toBe(1);
    expect(upstreamCalls).toBe(seen);
  });

  it('never touches calls outside the chosen operations', () => {
    const faults = new FaultInjector({ sdkErrorShare: 1 });
    const read = { operation: { service: 'dynamodb', operation: 'GetItem' }, headers: {}, body: Buffer.alloc(0) };
    expect(faults.beforeForward(read)).toBeUndefined();
    expect(faults.afterForward(read)).toBeUndefined();
    expect(WRITE_OPERATIONS).toContain('sns:PublishBatch');
  });

  it('speaks the protocol of the request', () => {
    const json = errorAnswer({ operation: { service: 'dynamodb', operation: 'PutItem' }, headers: { 'x-amz-target': 'DynamoDB_20120810.PutItem' }, body: Buffer.alloc(0) }, 'server');
    const xml = errorAnswer({ operation: { service: 'sns', operation: 'Publish' }, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.alloc(0) }, 'throttling');
    expect(json).toMatchObject({ status: 500, headers: { 'content-type': 'application/x-amz-json-1.0' } });
    expect(String(xml.body)).toContain('<Code>Throttling</Code>');
  });
});
