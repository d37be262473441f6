/**
 * The local cloud: the synthesized stack running on this machine with no AWS account and no
 * Docker. DynamoDB Local and fauxqs on 127.0.0.1; tables, topics, queues, subscriptions and
 * functions provisioned from the template; the functions' own bundles run by a Lambda-like
 * host; our pollers standing in for Lambda's event source mappings; and an HTTP bridge in
 * place of API Gateway.
 */
import path from 'node:path';
import { startDynamoDbLocal } from '../emulators/dynamodb-local';
import { startFauxqs } from '../emulators/fauxqs';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../emulators/credentials';
import { startAwsProxy } from './aws-proxy';
import type { FaultInjector } from './faults';
import { startHttpBridge } from './http-bridge';
import type { LocalEndpoints, LocalTopology } from './model';
import { provision } from './provision';
import { FunctionHost, type FunctionHostOptions, type InvocationInfo } from './runtime/function-host';
import { SqsPoller } from './runtime/sqs-poller';
import { StreamPoller } from './runtime/stream-poller';
import { DEFAULT_CLOUD_ASSEMBLY, PROJECT_ROOT } from './synth';

export interface LocalCloudOptions {
  /** The cloud assembly (`cdk.out`) to run. */
  readonly cloudAssembly?: string;
  /** Port of the HTTP bridge; 0 (default) picks a free one. */
  readonly port?: number;
  /** One line per step of the start-up, for the console. */
  readonly progress?: (line: string) => void;
  /** Where each function's log goes (one file per function). */
  readonly logDir?: string;
  /**
   * Extra latency before each invocation of the functions whose logical id starts with the
   * key (`{ InventoryOnOrderPaid: 300 }`: a slow warehouse). Local only, for demos and tests.
   */
  readonly invocationDelays?: Readonly<Record<string, number>>;
  /** Hooks into every invocation (fault injection). */
  readonly beforeInvoke?: FunctionHostOptions['beforeInvoke'];
  readonly afterInvoke?: FunctionHostOptions['afterInvoke'];
  readonly onInvocation?: FunctionHostOptions['onInvocation'];
  /**
   * Where the functions, and the pollers standing in for event source mappings, reach the
   * emulators (for instance through a counting proxy); default the emulators themselves.
   * Provisioning goes the functions' way: it writes their endpoints into their environment.
   */
  readonly routeEndpoints?: (emulators: LocalEndpoints, caller: 'functions' | 'pollers') => LocalEndpoints | Promise<LocalEndpoints>;
  /**
   * Fault injection (the reliability suite's; never in a deployed stack): duplicate, delayed and
   * replayed deliveries, crashes after the write, and SDK errors on the functions' AWS calls
   * through a proxy in front of the emulators.
   */
  readonly faults?: FaultInjector;
  /**
   * Overrides every queue's visibility timeout, in seconds (local only): a failed delivery comes
   * back, and a poison message reaches its DLQ, in seconds rather than minutes. Time compression
   * for tests; the template's own value (six times the function timeout) is what AWS gets.
   */
  readonly visibilityTimeoutSeconds?: number;
}

export interface LocalCloud {
  readonly apiUrl: string;
  readonly endpoints: LocalEndpoints;
  readonly topology: LocalTopology;
  readonly host: FunctionHost;
  readonly sqsPollers: readonly SqsPoller[];
  readonly streamPollers: readonly StreamPoller[];
  /** How long each step of the start-up took, in ms. */
  readonly timings: Readonly<Record<string, number>>;
  stop(): Promise<void>;
}

export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const progress = options.progress ?? (() => undefined);
  const timings: Record<string, number> = {};
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const value = await run();
    timings[name] = Date.now() - started;
    return value;
  };

  try {
    const started = Date.now();
    progress('Starting DynamoDB Local and the SNS/SQS emulator on 127.0.0.1…');
    const [dynamodb, fauxqs] = await step('emulators', () => Promise.all([startDynamoDbLocal(), startFauxqs()]));
    stops.push(() => dynamodb.stop(), () => fauxqs.stop());
    const endpoints: LocalEndpoints = { dynamodb: dynamodb.endpoint, snsSqs: fauxqs.endpoint, region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID };
    progress(`  DynamoDB Local ${dynamodb.endpoint}, SNS/SQS ${fauxqs.endpoint} (${timings.emulators} ms)`);

    let functionEndpoints = (await options.routeEndpoints?.(endpoints, 'functions')) ?? endpoints;
    if (options.faults) {
      // The functions reach the emulators through the fault injector's proxies.
      const { beforeForward, afterForward } = options.faults;
      const [dynamodbProxy, snsSqsProxy] = await Promise.all([
        startAwsProxy({ target: functionEndpoints.dynamodb, beforeForward, afterForward }),
        startAwsProxy({ target: functionEndpoints.snsSqs, beforeForward, afterForward }),
      ]);
      stops.push(() => dynamodbProxy.stop(), () => snsSqsProxy.stop());
      functionEndpoints = { ...functionEndpoints, dynamodb: dynamodbProxy.endpoint, snsSqs: snsSqsProxy.endpoint };
    }
    const pollerEndpoints = (await options.routeEndpoints?.(endpoints, 'pollers')) ?? endpoints;

    const topology = await step('provision', () =>
      provision(
        options.cloudAssembly ?? DEFAULT_CLOUD_ASSEMBLY,
        functionEndpoints,
        options.visibilityTimeoutSeconds === undefined ? {} : { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds },
      ),
    );
    progress(
      `Provisioned from the template: ${topology.tables.length} tables, ${topology.topics.length} topics, ${topology.queues.length} queues, ` +
        `${topology.subscriptions.length} subscriptions, ${topology.functions.length} functions (${timings.provision} ms)`,
    );

    const delays = Object.entries(options.invocationDelays ?? {});
    const host = new FunctionHost({
      functions: topology.functions,
      endpoints: functionEndpoints,
      logDir: options.logDir ?? path.join(PROJECT_ROOT, '.local-cloud', 'logs'),
      onInvocation: options.onInvocation,
      afterInvoke: options.afterInvoke,
      beforeInvoke: async (invocation: InvocationInfo) => {
        const delay = delays.find(([prefix]) => invocation.functionLogicalId.startsWith(prefix))?.[1];
        if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
        await options.beforeInvoke?.(invocation);
      },
    });
    stops.push(() => host.stop());

    const log = (line: string) => progress(`  ${line}`);
    const sqsInvoke = options.faults ? options.faults.forSqs(host.invoke) : host.invoke;
    const streamInvoke = options.faults ? options.faults.forStream(host.invoke) : host.invoke;
    const sqsPollers = topology.sqsMappings.map((mapping) => new SqsPoller({ mapping, invoke: sqsInvoke, endpoints: pollerEndpoints, log }));
    const arnOf = (logicalId: string) => topology.functions.find((f) => f.logicalId === logicalId)?.arn;
    // Streams are polled 20 times a second while busy and 10 while quiet: each hop of an order
    // through an outbox waits at most that long (Lambda polls about 4 times a second).
    const streamPollers = topology.streamMappings.map(
      (mapping) =>
        new StreamPoller({ mapping, invoke: streamInvoke, endpoints: pollerEndpoints, log, functionArn: arnOf(mapping.functionLogicalId), pollIntervalMs: 50, idlePollIntervalMs: 100 }),
    );
    for (const poller of [...sqsPollers, ...streamPollers]) {
      poller.start();
      stops.push(() => poller.close());
    }
    progress(`Event sources: ${sqsPollers.length} SQS queues and ${streamPollers.length} table streams polled`);

    const bridge = await step('http', () => startHttpBridge({ routes: topology.routes, invoke: host.invoke, port: options.port }));
    stops.push(() => bridge.stop());
    timings.total = Date.now() - started;

    return {
      apiUrl: bridge.url,
      endpoints,
      topology: { ...topology, outputs: { ...topology.outputs, ApiUrl: bridge.url } },
      host,
      sqsPollers,
      streamPollers,
      timings,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
