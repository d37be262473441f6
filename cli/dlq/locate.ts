/**
 * Where `orders dlq` finds the queues: a deployed stack (its resources and template, through
 * CloudFormation), any SQS endpoint (every queue it has), or the local cloud (what `npm start`
 * writes to `.local-cloud/outputs.json` while it serves).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { localClientConfig, LOCAL_REGION } from '../../local/emulators/credentials';
import type { ApiUrlSources } from '../api-url';
import { UsageError, type DlqOptions } from '../args';
import { LOCAL_CLOUD_OUTPUT, localCloudOutputSchema } from '../local-cloud-output';
import { DlqError, streamFailureQueuesOf, type StackQueue } from './model';
import { describeError, sqsSdk } from './sqs';

export interface QueueSource {
  readonly sqs: SQSClient;
  readonly queues: readonly StackQueue[];
  /** Logical ids (or ARNs) of the stream event sources' failure queues. */
  readonly streamFailureQueues: ReadonlySet<string>;
  /** Where the queues were found, for messages: `stack EventDrivenOrders`, `the local cloud`, an endpoint. */
  readonly description: string;
  /** What to check when SQS cannot be reached. */
  readonly hint: string;
  /** Where the stack's tables and their streams are, for replaying an outbox failure queue; unknown at a bare SQS endpoint. */
  readonly tables?: TableSource;
  close(): void;
}

/** How to reach DynamoDB and DynamoDB Streams where the queues are: AWS in the stack's region, or DynamoDB Local. */
export interface TableSource {
  /** Configuration for the SDK's DynamoDB and DynamoDB Streams clients. */
  readonly config: {
    readonly region?: string;
    readonly endpoint?: string;
    readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  };
  /** DynamoDB Local's endpoint, for the commands an operator is told to run (`--endpoint-url`). */
  readonly endpoint?: string;
}

export type LocateSources = Pick<ApiUrlSources, 'localOutputsFile' | 'readFile'>;

export async function locateQueues(options: DlqOptions, sources: LocateSources): Promise<QueueSource> {
  if (options.stack !== undefined) return stackQueues(options.stack, options.region);
  if (options.sqsEndpoint !== undefined) return endpointQueues(options.sqsEndpoint, options.region ?? LOCAL_REGION);
  return localCloudQueues(sources);
}

const AWS_HINT = 'check AWS credentials, AWS_REGION or --region, and the stack name';

async function stackQueues(stackName: string, region: string | undefined): Promise<QueueSource> {
  const config = region ? { region } : {};
  const { CloudFormationClient, GetTemplateCommand, ListStackResourcesCommand } = await import('@aws-sdk/client-cloudformation');
  const cloudFormation = new CloudFormationClient(config);
  const queues: StackQueue[] = [];
  let template: unknown;
  try {
    let nextToken: string | undefined;
    do {
      const page = await cloudFormation.send(new ListStackResourcesCommand({ StackName: stackName, NextToken: nextToken }));
      for (const resource of page.StackResourceSummaries ?? []) {
        if (resource.ResourceType === 'AWS::SQS::Queue' && resource.PhysicalResourceId && resource.LogicalResourceId) {
          queues.push({ url: resource.PhysicalResourceId, logicalId: resource.LogicalResourceId });
        }
      }
      nextToken = page.NextToken;
    } while (nextToken);
    const { TemplateBody } = await cloudFormation.send(new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' }));
    template = parseJson(TemplateBody);
  } catch (error) {
    throw new DlqError(`cannot read the queues of stack ${stackName}: ${describeError(error)} (${AWS_HINT})`);
  } finally {
    cloudFormation.destroy();
  }
  const sqs = new (await sqsSdk()).SQSClient(config);
  return {
    sqs,
    queues,
    streamFailureQueues: streamFailureQueuesOf(template),
    description: `stack ${stackName}`,
    hint: AWS_HINT,
    tables: { config },
    close: () => sqs.destroy(),
  };
}

async function endpointQueues(endpoint: string, region: string): Promise<QueueSource> {
  const { ListQueuesCommand, SQSClient } = await sqsSdk();
  const sqs = new SQSClient({ ...localClientConfig(endpoint), region });
  const queues: StackQueue[] = [];
  const hint = `is an SQS endpoint listening at ${endpoint}?`;
  try {
    let nextToken: string | undefined;
    do {
      const page = await sqs.send(new ListQueuesCommand({ MaxResults: 1000, NextToken: nextToken }));
      queues.push(...(page.QueueUrls ?? []).map((url) => ({ url })));
      nextToken = page.NextToken;
    } while (nextToken);
  } catch (error) {
    sqs.destroy();
    throw new DlqError(`cannot list the queues at ${endpoint}: ${describeError(error)} (${hint})`);
  }
  return { sqs, queues, streamFailureQueues: new Set(), description: endpoint, hint, close: () => sqs.destroy() };
}

async function localCloudQueues(sources: LocateSources): Promise<QueueSource> {
  const file = sources.localOutputsFile;
  const text = sources.readFile(file);
  if (text === undefined) {
    throw new UsageError(
      `no queues to look at: pass --stack NAME for a deployed stack, or --sqs-endpoint URL, or start the local cloud with \`npm start\` (it writes ${file})`,
      'dlq',
    );
  }
  const json = parseJson(text);
  const section = typeof json === 'object' && json !== null ? (json as Record<string, unknown>)[LOCAL_CLOUD_OUTPUT] : undefined;
  const parsed = localCloudOutputSchema.safeParse(section);
  if (!parsed.success) throw new DlqError(`${file} has no usable "${LOCAL_CLOUD_OUTPUT}" section; start the local cloud again with \`npm start\``);
  const local = parsed.data;
  const templateText = sources.readFile(local.templateFile);
  const sqs = new (await sqsSdk()).SQSClient({ ...localClientConfig(local.endpoints.sqs), region: local.region });
  return {
    sqs,
    queues: local.queues,
    streamFailureQueues: streamFailureQueuesOf(templateText === undefined ? undefined : parseJson(templateText)),
    description: `the local cloud (${local.endpoints.sqs})`,
    hint: `is \`npm start\` still serving? ${file} says the local SQS is at ${local.endpoints.sqs}`,
    tables: { config: { ...localClientConfig(local.endpoints.dynamodb), region: local.region }, endpoint: local.endpoints.dynamodb },
    close: () => sqs.destroy(),
  };
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
