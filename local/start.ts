/**
 * `npm start`: runs the system and its demo.
 *
 *   npm start                         the local cloud: the synthesized stack on emulators (default)
 *   npm start -- --once               the same, exiting after the demo (0 only if every order settled as expected)
 *   npm start -- --in-memory          the three contexts on the in-memory bus, in this process
 *   npm start -- --port 3000          the local cloud's API on 127.0.0.1:3000
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { localClientConfig } from './emulators/credentials';
import { startLocalCloud, type LocalCloud } from './cloud/local-cloud';
import { ensureSynthesized, PROJECT_ROOT, templatePath } from './cloud/synth';
import { LOCAL_CLOUD_OUTPUT, type LocalCloudOutput } from '../cli/local-cloud-output';
import { runDemo, SLOW_WAREHOUSE, type DemoResult } from './demo';
import { httpClient } from './http-client';
import { inMemoryClient } from './in-memory/client';
import { createInMemorySystem } from './in-memory/system';

const USAGE = `usage: npm start -- [--once] [--in-memory] [--port N]

  (no option)   run the synthesized stack on a local cloud (DynamoDB Local and an SNS/SQS
                emulator on 127.0.0.1), place the demo orders, print their timelines, keep serving
  --once        exit after the demo: 0 if every demo order reached its expected status
  --in-memory   run the contexts in this process on the in-memory event bus instead
  --port N      serve the local cloud's API on 127.0.0.1:N (default: a free port)
  --help        show this help`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'in-memory': { type: 'boolean' },
      once: { type: 'boolean' },
      port: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a port number, not "${values.port}"\n\n${USAGE}`);
    return 2;
  }
  return values['in-memory'] ? startInMemory(values.once ?? false) : startCloud(values.once ?? false, port);
}

function summary(results: readonly DemoResult[], deadLetters: number): { failed: number; line: string } {
  const failed = results.filter((r) => !r.ok).length;
  return { failed, line: `\n${results.length - failed} of ${results.length} demo orders settled as expected; ${deadLetters} dead letter(s).` };
}

async function startInMemory(once: boolean): Promise<number> {
  console.log('Starting the in-memory system: Order, Payment and Inventory on the in-memory event bus.');
  // Inventory answers a little late, as a real warehouse would: long enough for a customer to
  // cancel a paid order before its stock is reserved.
  const system = await createInMemorySystem({ consumerDelayMs: { inventory: 50 } });
  const results = await runDemo(inMemoryClient(system), { settled: () => system.bus.settled() });
  const { failed, line } = summary(results, system.bus.deadLetters.length);
  console.log(line);
  if (!once) {
    console.log('The in-memory system keeps nothing after exit; run with --once to exit after the demo. Ctrl-C to stop.');
    await untilInterrupted();
  }
  return failed === 0 && system.bus.deadLetters.length === 0 ? 0 : 1;
}

async function startCloud(once: boolean, port: number): Promise<number> {
  const started = Date.now();
  console.log('Synthesizing the CDK app (skipped when cdk.out is up to date)…');
  const synthesized = await ensureSynthesized();
  console.log(synthesized ? `  synthesized in ${Date.now() - started} ms` : '  cdk.out is up to date');
  let cloud: LocalCloud | undefined;
  const stop = async () => {
    await cloud?.stop();
    cloud = undefined;
  };
  process.once('SIGTERM', () => void stop().then(() => process.exit(143)));
  try {
    cloud = await startLocalCloud({ port, invocationDelays: SLOW_WAREHOUSE, progress: (line) => console.log(line) });
    console.log(`Ready in ${Date.now() - started} ms. The Order API:`);
    console.log(cloud.apiUrl);
    console.log('The event-flow explorer (open it in a browser):');
    console.log(explorerUrl(cloud.apiUrl));
    console.log('\nPlacing the demo orders through the API…');
    const results = await runDemo(httpClient(cloud.apiUrl));
    const deadLetters = await countDeadLetters(cloud);
    const { failed, line } = summary(results, deadLetters);
    console.log(line);
    if (!once) {
      // The stack outputs, as `cdk deploy` prints them, for the CLI and other tools; and where
      // the emulators and the stack's queues are, as CloudFormation would say (`orders dlq`).
      writeOutputs({ ...cloud.topology.outputs, [LOCAL_CLOUD_OUTPUT]: localCloudOutput(cloud) });
      console.log(`\nServing ${cloud.apiUrl}, the explorer at ${explorerUrl(cloud.apiUrl)} (function logs in .local-cloud/logs). Ctrl-C to stop.`);
      await untilInterrupted();
    }
    return failed === 0 && deadLetters === 0 ? 0 : 1;
  } finally {
    removeOutputs();
    await stop();
  }
}

/** The page the Order API function serves beside the API (see lambdas/order/infrastructure/explorer). */
function explorerUrl(apiUrl: string): string {
  return `${apiUrl.replace(/\/$/, '')}/explorer`;
}

const OUTPUTS_FILE = path.join(PROJECT_ROOT, '.local-cloud', 'outputs.json');

function localCloudOutput(cloud: LocalCloud): LocalCloudOutput {
  return {
    stackName: cloud.topology.stackName,
    region: cloud.endpoints.region,
    endpoints: { sqs: cloud.endpoints.snsSqs, sns: cloud.endpoints.snsSqs, dynamodb: cloud.endpoints.dynamodb },
    queues: cloud.topology.queues.map((q) => ({ logicalId: q.logicalId, url: q.queueUrl })),
    templateFile: templatePath(),
  };
}

function writeOutputs(outputs: Readonly<Record<string, unknown>>): void {
  mkdirSync(path.dirname(OUTPUTS_FILE), { recursive: true });
  writeFileSync(OUTPUTS_FILE, `${JSON.stringify(outputs, null, 2)}\n`);
}

function removeOutputs(): void {
  rmSync(OUTPUTS_FILE, { force: true });
}

/** Messages waiting in dead-letter and failure queues (should be none). */
async function countDeadLetters(cloud: LocalCloud): Promise<number> {
  const sqs = new SQSClient(localClientConfig(cloud.endpoints.snsSqs));
  const targets = new Set(cloud.topology.queues.flatMap((q) => (q.redrive ? [q.redrive.deadLetterTargetArn] : [])));
  for (const mapping of cloud.topology.streamMappings) if (mapping.onFailureQueueUrl) targets.add(mapping.onFailureQueueUrl);
  const queues = cloud.topology.queues.filter((q) => targets.has(q.arn) || targets.has(q.queueUrl));
  let total = 0;
  for (const queue of queues) {
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    total += Number(Attributes?.ApproximateNumberOfMessages ?? 0);
  }
  sqs.destroy();
  return total;
}

function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => process.once('SIGINT', () => resolve()));
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
