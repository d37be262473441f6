/**
 * Scenario 3, poison messages: on every topic, a message that is not JSON, one of an unknown
 * type, one that breaks its event's schema and one of a version from the future, published
 * while orders flow. Every consumer rejects each of them on every delivery, logging the reason;
 * after the queue's maxReceiveCount each lands in that consumer's dead-letter queue; and the
 * good messages of the same batches are processed as usual.
 */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { EventType } from '../../lambdas/shared/events/catalogue';
import { localClientConfig } from '../../local/emulators/credentials';
import { anEvent } from '../support/factories';
import { eventually } from '../support/waiting';
import { reportFigures, scenarioSize } from './support/figures';
import { expectedOutcomes, runOrderLoad } from './support/order-load';
import { loadFigures, scenarioStart } from './support/scenario-report';
import { startScenarioCloud, type ScenarioCloud } from './support/scenario-cloud';

const ORDERS = Math.max(30, Math.round(scenarioSize(1000) / 10));

/** Each kind of poison, and the reason the consumers must log for it. */
const POISON: readonly { kind: string; reason: string; body: (type: EventType) => string }[] = [
  { kind: 'malformed JSON', reason: 'MALFORMED', body: (type) => `{"type":"${type}","data":{"orderId":` },
  { kind: 'unknown type', reason: 'UNKNOWN_TYPE', body: (type) => JSON.stringify({ ...anEvent(type), type: 'order.shipped' }) },
  { kind: 'schema-invalid', reason: 'INVALID_DATA', body: (type) => JSON.stringify({ ...anEvent(type), data: { orderId: 42 } }) },
  { kind: 'future version', reason: 'UNSUPPORTED_VERSION', body: (type) => JSON.stringify({ ...anEvent(type), version: 99 }) },
];

describe('reliability: poison messages', () => {
  const logDir = mkdtempSync(path.join(tmpdir(), 'reliability-poison-'));
  let env: ScenarioCloud;
  let sns: SNSClient;
  beforeAll(async () => {
    env = await startScenarioCloud({ logDir });
    sns = new SNSClient(localClientConfig(env.cloud.endpoints.snsSqs));
  }, 120_000);
  afterAll(async () => {
    sns?.destroy();
    await env?.stop();
  });

  it('every poison message on every topic reaches each subscriber’s DLQ with its reason logged; the orders around them settle', async () => {
    // given: each topic's event type and the consumers (queue, DLQ, function) subscribed to it
    const { topology } = env.cloud;
    const subscribers = topology.subscriptions.map((subscription) => {
      const type = (subscription.filterPolicy as { type?: EventType[] } | undefined)?.type?.[0];
      const queue = topology.queues.find((q) => q.arn === subscription.queueArn);
      const deadLetterQueue = topology.queues.find((q) => q.arn === queue?.redrive?.deadLetterTargetArn);
      const fn = topology.functions.find((f) => f.logicalId === topology.sqsMappings.find((m) => m.queueArn === subscription.queueArn)?.functionLogicalId);
      if (!type || !queue || !deadLetterQueue || !fn) throw new Error(`cannot tell what subscription ${subscription.logicalId} feeds`);
      return { type, topicArn: subscription.topicArn, deadLetterQueue: deadLetterQueue.queueName, functionName: fn.name };
    });
    const topics = new Map(subscribers.map((s) => [s.topicArn, s.type]));
    const start = scenarioStart(env);

    // when: orders flow, and the poison is published on every topic in the middle of them
    const load = runOrderLoad(env, { orders: ORDERS, concurrency: 10, settleTimeoutMs: 300_000 });
    for (const [topicArn, type] of topics) {
      for (const poison of POISON) {
        await sns.send(
          new PublishCommand({ TopicArn: topicArn, Message: poison.body(type), MessageAttributes: { type: { DataType: 'String', StringValue: type } } }),
        );
      }
    }
    const run = await load;

    // then: each subscriber's DLQ holds exactly the poison of its topic...
    const expected = Object.fromEntries(subscribers.map((s) => [s.deadLetterQueue, POISON.length]));
    const deadLetters = await eventually(
      async () => {
        const now = await env.deadLetters();
        return Object.values(now).reduce((sum, n) => sum + n, 0) >= subscribers.length * POISON.length ? now : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500, what: 'the poison messages to reach their dead-letter queues' },
    );
    // ...each consumer logged why, for every kind...
    const missingReasons = subscribers.flatMap(({ functionName, type }) => {
      const file = path.join(logDir, `${functionName}.log`);
      const log = existsSync(file) ? readFileSync(file, 'utf8') : '';
      return POISON.filter((p) => !log.includes(`"reason":"${p.reason}`)).map((p) => `${functionName} (${type}) did not log ${p.reason}`);
    });
    // ...and the good messages of the same batches were processed.
    const figures = await loadFigures('3 poison messages', env, run, start, {
      injectedFaults: Object.fromEntries(POISON.map((p) => [p.kind, topics.size])),
      details: { 'poison published': topics.size * POISON.length, subscriptions: subscribers.length },
    });
    reportFigures(figures);
    expect(deadLetters).toEqual(expected);
    expect(missingReasons).toEqual([]);
    expect(run.report.findings.slice(0, 20)).toEqual([]);
    expect(run.report.outcomes).toEqual(expectedOutcomes(ORDERS));
  }, 900_000);
});
