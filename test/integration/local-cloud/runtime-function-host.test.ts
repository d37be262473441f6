/**
 * The function host runs Lambda bundles in worker threads as Lambda runs them: one environment
 * per worker with the function's own variables, warm reuse, timeouts that kill the environment,
 * Lambda's error shape and a concurrency cap per function.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  FunctionHost,
  LambdaFunctionError,
  LambdaTimeoutError,
  type FunctionHostOptions,
  type InvocationMetrics,
} from '../../../local/cloud/runtime/function-host';
import type { LocalFunction } from '../../../local/cloud/model';

const ECHO = path.join(__dirname, '..', '..', 'fixtures', 'functions', 'echo');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface EchoResult {
  greeting?: string;
  envGreeting?: string;
  functionNameVar: string;
  region: string;
  threadId: number;
  loadedAt: number;
  invocations: number;
  context: {
    functionName: string;
    functionVersion: string;
    invokedFunctionArn: string;
    memoryLimitInMB: string;
    awsRequestId: string;
    logGroupName: string;
    logStreamName: string;
    callbackWaitsForEmptyEventLoop: boolean;
    remainingTimeInMillis: number;
  };
  event: unknown;
}

function echoFunction(logicalId: string, overrides: Partial<LocalFunction> = {}): LocalFunction {
  return {
    logicalId,
    name: logicalId,
    arn: `arn:aws:lambda:us-east-1:000000000000:function:${logicalId}`,
    codeDir: ECHO,
    handler: 'index.handler',
    environment: {},
    timeoutSeconds: 3,
    memoryMb: 128,
    ...overrides,
  };
}

const hosts: FunctionHost[] = [];

function newHost(options: Partial<FunctionHostOptions> & Pick<FunctionHostOptions, 'functions'>): { host: FunctionHost; logs: string[]; metrics: InvocationMetrics[] } {
  const logs: string[] = [];
  const metrics: InvocationMetrics[] = [];
  const host = new FunctionHost({
    onLog: (name, line) => logs.push(`${name} ${line}`),
    onInvocation: (m) => metrics.push(m),
    ...options,
  });
  hosts.push(host);
  return { host, logs, metrics };
}

async function echo(host: FunctionHost, logicalId: string, event: object = {}): Promise<EchoResult> {
  return (await host.invoke(logicalId, event)) as EchoResult;
}

/** Polls `probe` until it returns something, or fails after `timeoutMs`. */
async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

afterAll(async () => {
  await Promise.all(hosts.map((host) => host.stop()));
});

describe('execution environments', () => {
  it('give each function its own environment variables, read at module scope, and leave the host process untouched', async () => {
    const { host } = newHost({
      functions: [echoFunction('Hello', { environment: { GREETING: 'hello' } }), echoFunction('Bonjour', { environment: { GREETING: 'bonjour' } })],
    });

    const [hello, bonjour] = await Promise.all([echo(host, 'Hello'), echo(host, 'Bonjour')]);

    expect(hello).toMatchObject({ greeting: 'hello', envGreeting: 'hello', functionNameVar: 'Hello' });
    expect(bonjour).toMatchObject({ greeting: 'bonjour', envGreeting: 'bonjour', functionNameVar: 'Bonjour' });
    expect(hello.threadId).not.toBe(bonjour.threadId);
    expect(process.env['GREETING']).toBeUndefined();
  });

  it('pass a Lambda context with a deadline from the function timeout', async () => {
    const { host } = newHost({ functions: [echoFunction('Context', { timeoutSeconds: 2, memoryMb: 256 })] });

    const { context, event, region } = await echo(host, 'Context', { hello: 'world' });

    expect(event).toEqual({ hello: 'world' });
    expect(region).toBe('us-east-1');
    expect(context).toMatchObject({
      functionName: 'Context',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:Context',
      memoryLimitInMB: '256',
      logGroupName: '/aws/lambda/Context',
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(context.awsRequestId).toMatch(UUID);
    expect(context.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(context.remainingTimeInMillis).toBeGreaterThan(1_000);
    expect(context.remainingTimeInMillis).toBeLessThanOrEqual(2_000);
  });

  it('load the module once (cold start) and reuse it while warm', async () => {
    const { host, metrics } = newHost({ functions: [echoFunction('Warm')] });

    const first = await echo(host, 'Warm');
    const second = await echo(host, 'Warm');
    const third = await echo(host, 'Warm');

    expect([first.invocations, second.invocations, third.invocations]).toEqual([1, 2, 3]);
    expect(new Set([first.threadId, second.threadId, third.threadId]).size).toBe(1);
    expect(second.loadedAt).toBe(first.loadedAt);
    expect(metrics.map((m) => m.coldStart)).toEqual([true, false, false]);
    expect(metrics[0]?.initDurationMs).toBeGreaterThan(0);
    expect(metrics[1]?.initDurationMs).toBeUndefined();
    expect(host.stats('Warm')).toMatchObject({ environments: 1, invocations: 3, coldStarts: 1 });
  });
});

describe('timeouts', () => {
  it.each([
    ['waiting on a timer', { sleepMs: 10_000 }],
    ['stuck in synchronous code', { busyMs: 10_000 }],
  ])('terminate an environment %s at the deadline; the next call starts cold', async (_case, event) => {
    const { host, metrics } = newHost({ functions: [echoFunction('Slow', { timeoutSeconds: 1 })] });
    const before = await echo(host, 'Slow');

    const started = Date.now();
    const failure = await host.invoke('Slow', event).catch((error: unknown) => error);
    const elapsed = Date.now() - started;

    expect(failure).toBeInstanceOf(LambdaTimeoutError);
    expect(failure).toMatchObject({ name: 'Sandbox.Timedout', message: 'Task timed out after 1.00 seconds', functionName: 'Slow' });
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(3_000);

    const after = await echo(host, 'Slow');
    expect(after.threadId).not.toBe(before.threadId);
    expect(after.invocations).toBe(1);
    expect(metrics.map((m) => [m.outcome, m.coldStart])).toEqual([
      ['success', true],
      ['timeout', false],
      ['success', true],
    ]);
  });
});

describe('errors', () => {
  it("reject with the handler error's name and message, and keep the environment warm", async () => {
    const { host } = newHost({ functions: [echoFunction('Failing')] });
    const warm = await echo(host, 'Failing');

    const failure = await host.invoke('Failing', { throw: { name: 'ValidationError', message: 'quantity must be positive' } }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(LambdaFunctionError);
    expect(failure).toMatchObject({
      name: 'ValidationError',
      message: 'quantity must be positive',
      errorType: 'ValidationError',
      errorMessage: 'quantity must be positive',
      functionName: 'Failing',
    });
    expect((failure as LambdaFunctionError).trace[0]).toContain('ValidationError: quantity must be positive');
    const after = await echo(host, 'Failing');
    expect(after.threadId).toBe(warm.threadId);
    expect(after.invocations).toBe(3);
  });

  it('report an exception thrown outside the handler as Runtime.ExitError, and start the next call cold', async () => {
    const { host } = newHost({ functions: [echoFunction('Crashing')] });
    const before = await echo(host, 'Crashing');

    const failure = await host.invoke('Crashing', { crash: true }).catch((error: unknown) => error);

    expect(failure).toMatchObject({ name: 'Runtime.ExitError', message: expect.stringContaining('boom outside the handler') });
    const after = await echo(host, 'Crashing');
    expect(after.threadId).not.toBe(before.threadId);
  });

  it('report a bundle without the configured export as Runtime.HandlerNotFound', async () => {
    const { host } = newHost({ functions: [echoFunction('Misconfigured', { handler: 'index.main' })] });

    await expect(host.invoke('Misconfigured', {})).rejects.toMatchObject({ name: 'Runtime.HandlerNotFound' });
  });
});

describe('concurrency', () => {
  it('runs at most maxConcurrency environments per function and queues the other invocations', async () => {
    const { host, metrics } = newHost({ functions: [echoFunction('Capped')], maxConcurrency: 2 });

    const started = Date.now();
    const calls = Array.from({ length: 5 }, () => echo(host, 'Capped', { sleepMs: 300 }));
    await until(() => (host.stats('Capped')?.queued === 3 ? true : undefined), 'three invocations waiting');
    expect(host.stats('Capped')).toMatchObject({ environments: 2, busy: 2, queued: 3 });
    const results = await Promise.all(calls);

    expect(new Set(results.map((r) => r.threadId)).size).toBe(2);
    // Three waves of at most two 300 ms calls.
    expect(Date.now() - started).toBeGreaterThanOrEqual(850);
    expect(metrics.filter((m) => m.coldStart)).toHaveLength(2);
    expect(metrics.filter((m) => m.queuedMs >= 250)).toHaveLength(3);
  });
});

describe('logs and hooks', () => {
  it("sends each line a function writes, and Lambda's START/END/REPORT lines, to the sink", async () => {
    const { host, logs } = newHost({ functions: [echoFunction('Chatty')] });

    const { context } = await echo(host, 'Chatty', { n: 1 });

    const requestId = context.awsRequestId;
    expect(logs).toEqual(
      expect.arrayContaining([
        `Chatty START RequestId: ${requestId} Version: $LATEST`,
        expect.stringMatching(new RegExp(`^Chatty \\S+Z\\t${requestId}\\tINFO\\techo invoked \\{"n":1\\}$`)),
        `Chatty END RequestId: ${requestId}`,
        expect.stringMatching(new RegExp(`^Chatty REPORT RequestId: ${requestId} Duration: [\\d.]+ ms .*Init Duration: [\\d.]+ ms`)),
      ]),
    );
  });

  it('appends to a file per function when no sink is given', async () => {
    const logDir = mkdtempSync(path.join(tmpdir(), 'runtime-logs-'));
    try {
      const host = new FunctionHost({ functions: [echoFunction('ToFile')], logDir });
      const { context } = (await host.invoke('ToFile', { n: 2 })) as EchoResult;
      await host.stop();

      const text = readFileSync(path.join(logDir, 'ToFile.log'), 'utf8');
      expect(text).toContain(`START RequestId: ${context.awsRequestId}`);
      expect(text).toContain('echo invoked {"n":2}');
    } finally {
      rmSync(logDir, { recursive: true, force: true });
    }
  });

  it('lets beforeInvoke fail an invocation before it runs, and afterInvoke see or replace the outcome', async () => {
    const outcomes: boolean[] = [];
    const { host, metrics } = newHost({
      functions: [echoFunction('Hooked')],
      beforeInvoke: ({ event }) => {
        if ((event as { refuse?: boolean }).refuse) throw new Error('injected throttle');
      },
      afterInvoke: ({ event }, outcome) => {
        outcomes.push(outcome.ok);
        if ((event as { lose?: boolean }).lose) throw new Error('injected lost response');
      },
    });

    await expect(host.invoke('Hooked', { refuse: true })).rejects.toThrow('injected throttle');
    expect(metrics).toHaveLength(1);
    expect(host.stats('Hooked')).toMatchObject({ invocations: 0 });
    await expect(host.invoke('Hooked', { lose: true })).rejects.toThrow('injected lost response');
    expect(host.stats('Hooked')).toMatchObject({ invocations: 1 });
    expect(outcomes).toEqual([false, true]);
  });
});
