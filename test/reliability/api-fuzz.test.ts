/**
 * Reliability scenario 6, API fuzz: a few thousand random and malformed requests (bad JSON,
 * wrong types, huge bodies, bad amounts, malformed SKUs, injection strings, malformed order ids,
 * wrong methods and routes…) sent to the HTTP API of the local cloud. Only 4xx may come back,
 * never a 5xx and never a 2xx; every 400 names the field at fault; and nothing is written: no
 * table gains or loses an item, no message waits in any queue, no record reaches a consumer.
 *
 * RELIABILITY_SEED replays a run. It sends three requests per order of a load scenario
 * (RELIABILITY_ORDERS, default 1,000: 3,000 requests), or RELIABILITY_FUZZ_REQUESTS if set.
 */
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { paginateScan } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { reportFigures, scenarioSize } from './support/figures';
import { FUZZ_CATEGORIES, fuzzRequests, type FuzzRequest } from './support/request-fuzzer';
import { scenarioSeed, startScenarioCloud, type ScenarioCloud } from './support/scenario-cloud';

const SEED = scenarioSeed();
const REQUESTS = Number(process.env.RELIABILITY_FUZZ_REQUESTS) || 3 * scenarioSize(1000);
const CONCURRENCY = 16;
/** No request is started after this; a run cut short fails (it would prove less than it says). */
const BUDGET_MS = Number(process.env.RELIABILITY_FUZZ_BUDGET_MS) || 240_000;

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly error?: string;
}

interface Finding {
  readonly kind: 'server error' | 'accepted' | 'transport error' | 'unexpected status' | 'field not named';
  readonly request: FuzzRequest;
  readonly answer: Answer;
}

describe('reliability: API fuzz', () => {
  let env: ScenarioCloud;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

  beforeAll(async () => {
    process.stdout.write(`\napi fuzz: seed ${SEED} (RELIABILITY_SEED=${SEED} replays this run), ${REQUESTS} requests\n`);
    // No faults injected: the requests are the faults.
    env = await startScenarioCloud({ seed: SEED, logDir: path.join(os.tmpdir(), `reliability-api-fuzz-${process.pid}`) });
  }, 60_000);

  afterAll(async () => {
    agent.destroy();
    await env?.stop();
  });

  /** Items per table, every table of the stack. */
  async function itemCounts(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const { tableName } of env.cloud.topology.tables) {
      counts[tableName] = 0;
      for await (const page of paginateScan({ client: env.dynamodb }, { TableName: tableName, Select: 'COUNT', ConsistentRead: true })) counts[tableName] += page.Count ?? 0;
    }
    return counts;
  }

  /** Messages waiting, in flight or delayed, per queue, every queue of the stack. */
  async function queueDepths(): Promise<Record<string, number>> {
    const depths: Record<string, number> = {};
    for (const { queueName, queueUrl } of env.cloud.topology.queues) {
      const { Attributes = {} } = await env.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
      );
      depths[queueName] = Number(Attributes.ApproximateNumberOfMessages ?? 0) + Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0);
    }
    return depths;
  }

  it(
    `answers ${REQUESTS} malformed requests with 4xx only, each 400 naming its field, and writes nothing`,
    async () => {
      // given: the local cloud as provisioned (the inventory's demo stock and nothing else)
      const before = await itemCounts();
      const deliveriesBefore = env.deliveries();
      const started = Date.now();

      // when
      const findings: Finding[] = [];
      const byCategory: Record<string, number> = Object.fromEntries(FUZZ_CATEGORIES.map((category) => [category, 0]));
      const byStatus: Record<string, number> = {};
      let sent = 0;
      let junkCorrelationIds = 0;
      let largestBody = 0;
      const requests = fuzzRequests(SEED, { count: REQUESTS });
      const worker = async () => {
        for (;;) {
          if (Date.now() - started > BUDGET_MS) return;
          const next = requests.next();
          if (next.done) return;
          const request = next.value;
          sent++;
          byCategory[request.category] = (byCategory[request.category] ?? 0) + 1;
          if (request.headers['x-correlation-id'] !== undefined) junkCorrelationIds++;
          largestBody = Math.max(largestBody, request.body?.length ?? 0);
          const answer = await send(env.apiUrl, request, agent);
          byStatus[answer.status] = (byStatus[answer.status] ?? 0) + 1;
          const kind = judge(request, answer);
          if (kind) findings.push({ kind, request, answer });
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const elapsedMs = Date.now() - started;
      const after = await itemCounts();
      const depths = await queueDepths();

      // then
      const count = (kind: Finding['kind']) => findings.filter((f) => f.kind === kind).length;
      const itemsWritten = Object.keys(after).reduce((sum, table) => sum + Math.abs((after[table] ?? 0) - (before[table] ?? 0)), 0);
      // Any message in any queue, dead-letter queues included, means something was published.
      const messages = Object.values(depths).reduce((sum, n) => sum + n, 0);
      const dlqArrivals = Object.values(await env.deadLetters()).reduce((sum, n) => sum + n, 0);
      const delivered = env.deliveries() - deliveriesBefore;
      reportFigures({
        scenario: '6 API fuzz',
        orders: sent,
        deliveries: delivered,
        injectedFaults: byCategory,
        dlqArrivals,
        lost: 0,
        stuck: 0,
        duplicatedEffects: 0,
        inconsistencies: count('server error') + count('accepted') + itemsWritten + messages,
        elapsedMs,
        details: {
          seed: SEED,
          ...Object.fromEntries(Object.entries(byStatus).map(([status, n]) => [`status ${status}`, n])),
          'unexpected answers': count('unexpected status') + count('field not named'),
          'transport errors': count('transport error'),
          'junk correlation ids': junkCorrelationIds,
          'largest body (bytes)': largestBody,
          'requests/s': Math.round((sent / elapsedMs) * 1000),
        },
      });
      expect(sent).toBe(REQUESTS);
      expect({
        serverErrors: count('server error'),
        accepted: count('accepted'),
        transportErrors: count('transport error'),
        unexpectedAnswers: count('unexpected status') + count('field not named'),
        examples: examplesOf(findings),
      }).toEqual({ serverErrors: 0, accepted: 0, transportErrors: 0, unexpectedAnswers: 0, examples: [] });
      expect(after).toEqual(before);
      expect(depths).toEqual(Object.fromEntries(Object.keys(depths).map((name) => [name, 0])));
      expect(delivered).toBe(0);
    },
    BUDGET_MS + 60_000,
  );

  it('sees a valid order when one is sent: 201, and the tables grow (the checks above are not blind)', async () => {
    // given
    const before = await itemCounts();
    const order = { customerId: 'fuzz-control', lines: [{ sku: 'BOOK-DDD', quantity: 1, unitPrice: 100 }] };
    // when
    const answer = await send(env.apiUrl, { method: 'POST', path: '/orders', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(order)) }, agent);
    // then
    expect(answer.status).toBe(201);
    const after = await itemCounts();
    const grown = Object.keys(after).filter((table) => (after[table] ?? 0) > (before[table] ?? 0));
    expect(grown.length).toBeGreaterThan(0);
  });
});

/** What is wrong with the answer, if anything. */
function judge(request: FuzzRequest, answer: Answer): Finding['kind'] | undefined {
  if (answer.error !== undefined || answer.status === 0) return 'transport error';
  if (answer.status >= 500) return 'server error';
  if (answer.status < 400) return 'accepted';
  if (!request.expected.statuses.includes(answer.status)) return 'unexpected status';
  if (answer.status === 400 && !namesField(answer.body, request.expected.field)) return 'field not named';
  return undefined;
}

/** A 400's body is `{ error, message, issues: [{ field, problem }] }` and names `field` among its issues. */
function namesField(body: string, field: string | undefined): boolean {
  try {
    const parsed = JSON.parse(body) as { issues?: { field?: unknown; problem?: unknown }[] };
    const issues = parsed.issues ?? [];
    const wellFormed = issues.length > 0 && issues.every((issue) => typeof issue.field === 'string' && issue.field !== '' && typeof issue.problem === 'string');
    return wellFormed && (field === undefined || issues.some((issue) => issue.field === field));
  } catch {
    return false;
  }
}

/** A few findings of each kind, for the failure message. */
function examplesOf(findings: readonly Finding[]): string[] {
  const kinds = [...new Set(findings.map((f) => f.kind))];
  return kinds.flatMap((kind) => findings.filter((f) => f.kind === kind).slice(0, 4).map(describeFinding));
}

function describeFinding({ kind, request, answer }: Finding): string {
  const body = answer.error ?? answer.body.slice(0, 200);
  return `${kind}: ${request.category} · ${request.what} (${request.method} ${request.path.slice(0, 80)}) → ${answer.status} ${body}`;
}

/** One request as it is, malformed path and all (fetch would normalize or refuse some of them). */
function send(apiUrl: string, request: Pick<FuzzRequest, 'method' | 'path' | 'headers' | 'body'>, agent: http.Agent): Promise<Answer> {
  const url = new URL(apiUrl);
  return new Promise((resolve) => {
    const fail = (error: unknown) => resolve({ status: 0, body: '', error: String(error) });
    try {
      const headers = { ...request.headers, ...(request.body ? { 'content-length': String(request.body.length) } : {}) };
      const outgoing = http.request({ host: url.hostname, port: url.port, method: request.method, path: request.path, headers, agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', fail);
      });
      outgoing.on('error', fail);
      outgoing.setTimeout(60_000, () => outgoing.destroy(new Error('no answer within 60 s')));
      outgoing.end(request.body);
    } catch (error) {
      fail(error);
    }
  });
}
