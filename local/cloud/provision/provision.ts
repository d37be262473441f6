/**
 * Provisioning the local cloud from the synthesized template: the tables, topics, queues and
 * subscriptions are made in the emulators (each as soon as what it refers to exists, the rest
 * concurrently), then the functions, event source mappings, routes and outputs are read and
 * resolved against them. Nothing about the topology is known here but what the template says.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS } from '../../emulators/credentials';
import type { HttpRoute, LocalEndpoints, LocalFunction, LocalQueue, LocalSubscription, LocalTable, LocalTopic, LocalTopology, SqsMapping, StreamMapping } from '../model';
import { IntrinsicResolver, referencesOf, type ProvisionedValue, type PseudoParameters } from './intrinsics';
import { functionRecord, mappingRecord, recordValue, routeRecord, type Credentials } from './records';
import { createQueue, createSubscription, createTable, createTopic, type CreationContext, type Created, type Creator } from './resources';
import { loadStack, type AssemblyStack, type TemplateResource } from './template';

export interface ProvisionOptions {
  /** Which stack of the cloud assembly, when it has more than one. */
  readonly stackName?: string;
  /** Values of template parameters (defaults apply otherwise). */
  readonly parameters?: Readonly<Record<string, string>>;
  /** What the provisioner and the functions sign requests with; default the local dummy credentials. */
  readonly credentials?: Credentials;
  /** How long a table may take to become ACTIVE; default 30 s. */
  readonly tableActiveTimeoutMs?: number;
  /** Resource types that are neither provisioned nor listed as skipped make provisioning fail, unless this is set (then they are logged). */
  readonly ignoreUnknownTypes?: boolean;
  /** Receives notes on what was left out; default none. */
  readonly log?: (message: string) => void;
  /**
   * Every queue's visibility timeout, in seconds, in place of the template's (local only): time
   * compression for tests, so a failed delivery comes back in seconds rather than minutes.
   */
  readonly visibilityTimeoutSeconds?: number;
}

/** Resource types made in an emulator. */
const CREATORS: Readonly<Record<string, Creator>> = {
  'AWS::DynamoDB::Table': createTable,
  'AWS::SNS::Topic': createTopic,
  'AWS::SQS::Queue': createQueue,
  'AWS::SNS::Subscription': createSubscription,
};

/** Resource types read into the topology without creating anything. */
const RECORDED_TYPES = new Set([
  'AWS::Lambda::Function',
  'AWS::Lambda::EventSourceMapping',
  'AWS::ApiGatewayV2::Api',
  'AWS::ApiGatewayV2::Integration',
  'AWS::ApiGatewayV2::Route',
]);

/** Resource types that mean nothing locally, and why. Anything neither here nor above stops provisioning. */
export const SKIPPED_RESOURCE_TYPES: Readonly<Record<string, string>> = {
  'AWS::IAM::Role': 'the emulators check no permissions, so there is no IAM locally',
  'AWS::IAM::Policy': 'the emulators check no permissions, so there is no IAM locally',
  'AWS::Lambda::Permission': 'nothing checks who may invoke a function locally',
  'AWS::SNS::TopicPolicy': 'fauxqs enforces no resource policies (and loopback has no TLS to require)',
  'AWS::SQS::QueuePolicy': 'fauxqs enforces no resource policies (and loopback has no TLS to require)',
  'AWS::Logs::LogGroup': 'functions log to the local process; only its name and ARN are kept, for references',
  'AWS::CloudWatch::Alarm': 'there is no CloudWatch locally; dead-letter queues can be read directly',
  'AWS::ApiGatewayV2::Stage':
    'the HTTP bridge serves the API at its root like the one stage of this template ($default); throttling and access logs do not apply',
  'AWS::CDK::Metadata': 'CDK usage metadata',
};

/** Reads the stack out of the cloud assembly in `cloudAssemblyDir` and provisions it. */
export async function provision(cloudAssemblyDir: string, endpoints: LocalEndpoints, options: ProvisionOptions = {}): Promise<LocalTopology> {
  return provisionStack(loadStack(cloudAssemblyDir, options.stackName), endpoints, options);
}

/** Provisions an already loaded stack on the emulators at `endpoints` (fresh ones: nothing is deleted). */
export async function provisionStack(stack: AssemblyStack, endpoints: LocalEndpoints, options: ProvisionOptions = {}): Promise<LocalTopology> {
  const log = options.log ?? (() => undefined);
  const credentials = options.credentials ?? LOCAL_CREDENTIALS;
  const pseudo: PseudoParameters = { region: endpoints.region, accountId: endpoints.accountId, stackName: stack.stackName };
  const values = new Map<string, ProvisionedValue>();
  const leftOut = new Map<string, string>();
  const resolver = new IntrinsicResolver({
    template: stack.template,
    pseudo,
    ...(options.parameters ? { parameters: options.parameters } : {}),
    values,
    whyNoValue: (resource) => leftOut.get(resource.logicalId) ?? skipReason(resource.type),
  });

  const resources = [...stack.template.resources.values()].filter((resource) => {
    if (resource.condition === undefined || resolver.condition(resource.condition, `Resources.${resource.logicalId}.Condition`)) return true;
    leftOut.set(resource.logicalId, `its condition ${resource.condition} is false`);
    return false;
  });
  checkTypes(resources, options.ignoreUnknownTypes === true, log);

  for (const resource of resources) {
    const value = recordValue(resource, resolver, pseudo);
    if (value !== undefined) values.set(resource.logicalId, value);
  }

  const clientConfig = (endpoint: string) => ({ endpoint, region: endpoints.region, credentials: { ...credentials } });
  const clients = {
    dynamodb: new DynamoDBClient(clientConfig(endpoints.dynamodb)),
    sns: new SNSClient(clientConfig(endpoints.snsSqs)),
    sqs: new SQSClient(clientConfig(endpoints.snsSqs)),
  };
  const queuesByArn = new Map<string, LocalQueue>();
  const context: CreationContext = {
    resolver,
    endpoints,
    clients,
    tableActiveTimeoutMs: options.tableActiveTimeoutMs ?? 30_000,
    ...(options.visibilityTimeoutSeconds === undefined ? {} : { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds }),
    queuesByArn,
    leftOut,
    log,
  };
  let created: Map<string, Created>;
  try {
    created = await createAll(
      resources.filter((resource) => Object.hasOwn(CREATORS, resource.type)),
      stack,
      async (resource) => {
        const result = await (CREATORS[resource.type] as Creator)(resource, context);
        if (result.kind !== 'left-out') values.set(resource.logicalId, result.value);
        if (result.kind === 'queue') queuesByArn.set(result.queue.arn, result.queue);
        return result;
      },
    );
  } finally {
    clients.dynamodb.destroy();
    clients.sns.destroy();
    clients.sqs.destroy();
  }

  const tables: LocalTable[] = [];
  const topics: LocalTopic[] = [];
  const queues: LocalQueue[] = [];
  const subscriptions: LocalSubscription[] = [];
  for (const resource of resources) {
    const result = created.get(resource.logicalId);
    if (result?.kind === 'table') tables.push(result.table);
    if (result?.kind === 'topic') {
      topics.push(result.topic);
      subscriptions.push(...result.subscriptions);
    }
    if (result?.kind === 'queue') queues.push(result.queue);
    if (result?.kind === 'subscription') subscriptions.push(result.subscription);
  }

  const ofType = (type: string): TemplateResource[] => resources.filter((resource) => resource.type === type);
  const functions: LocalFunction[] = ofType('AWS::Lambda::Function').map((resource) =>
    functionRecord(resource, { stack, resolver, pseudo, endpoints, credentials }),
  );
  const sqsMappings: SqsMapping[] = [];
  const streamMappings: StreamMapping[] = [];
  for (const resource of ofType('AWS::Lambda::EventSourceMapping')) {
    const record = mappingRecord(resource, { resolver, functions, queues, tables, log });
    if (record?.kind === 'sqs') sqsMappings.push(record.mapping);
    if (record?.kind === 'stream') streamMappings.push(record.mapping);
  }
  const routes = ofType('AWS::ApiGatewayV2::Route')
    .map((resource) => routeRecord(resource, { resolver, stack, functions, log }))
    .filter((route): route is HttpRoute => route !== undefined);

  const outputs: Record<string, string> = {};
  for (const output of stack.template.outputs.values()) {
    const path = `Outputs.${output.logicalId}`;
    if (output.condition !== undefined && !resolver.condition(output.condition, `${path}.Condition`)) continue;
    const value = resolver.resolve(output.value, `${path}.Value`);
    outputs[output.logicalId] = Array.isArray(value) ? value.map((item) => resolver.resolveString(item, `${path}.Value`)).join(',') : resolver.resolveString(value, `${path}.Value`);
  }

  return { stackName: stack.stackName, tables, topics, queues, subscriptions, functions, sqsMappings, streamMappings, routes, outputs };
}

function skipReason(type: string): string | undefined {
  const reason = SKIPPED_RESOURCE_TYPES[type];
  return reason === undefined ? undefined : `the local cloud does not provision ${type}: ${reason}`;
}

function checkTypes(resources: readonly TemplateResource[], ignoreUnknown: boolean, log: (message: string) => void): void {
  const unknown = resources.filter((r) => !Object.hasOwn(CREATORS, r.type) && !RECORDED_TYPES.has(r.type) && !Object.hasOwn(SKIPPED_RESOURCE_TYPES, r.type));
  if (unknown.length === 0) return;
  const list = unknown.map((r) => `${r.logicalId} (${r.type})`).join(', ');
  const message = `The template has resources the local cloud neither provisions nor knows to be irrelevant: ${list}. Provision them, or add their type to SKIPPED_RESOURCE_TYPES with the reason`;
  if (!ignoreUnknown) throw new Error(message);
  log(message);
}

/**
 * Runs `create` for every resource once all the resources it depends on (through references or
 * DependsOn, also by way of resources that are not created, like a queue policy) are done; all
 * others run concurrently. Fails on a dependency cycle before creating anything.
 */
async function createAll(
  creatable: readonly TemplateResource[],
  stack: AssemblyStack,
  create: (resource: TemplateResource) => Promise<Created>,
): Promise<Map<string, Created>> {
  const ids = new Set(creatable.map((resource) => resource.logicalId));
  const directDependencies = new Map<string, Set<string>>();
  const dependenciesOf = (logicalId: string): Set<string> => {
    let found = directDependencies.get(logicalId);
    if (found === undefined) {
      const resource = stack.template.resources.get(logicalId);
      found = new Set([...referencesOf(resource?.properties ?? {}), ...(resource?.dependsOn ?? [])].filter((id) => stack.template.resources.has(id)));
      directDependencies.set(logicalId, found);
    }
    return found;
  };
  /** The created resources `logicalId` waits for: direct ones, and those reached through resources that are not created. */
  const waitsFor = (logicalId: string): Set<string> => {
    const result = new Set<string>();
    const seen = new Set<string>([logicalId]);
    const pending = [...dependenciesOf(logicalId)];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      if (seen.has(next)) continue;
      seen.add(next);
      if (ids.has(next)) result.add(next);
      else pending.push(...dependenciesOf(next));
    }
    return result;
  };
  const graph = new Map(creatable.map((resource) => [resource.logicalId, waitsFor(resource.logicalId)]));
  assertAcyclic(graph);

  const running = new Map<string, Promise<Created>>();
  const start = (resource: TemplateResource): Promise<Created> => {
    let promise = running.get(resource.logicalId);
    if (promise === undefined) {
      const dependencies = [...(graph.get(resource.logicalId) ?? [])].map((id) => start(stack.template.resources.get(id) as TemplateResource));
      promise = Promise.all(dependencies).then(() => create(resource));
      running.set(resource.logicalId, promise);
    }
    return promise;
  };
  const settled = await Promise.allSettled(creatable.map(start));
  const failure = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failure) throw failure.reason;
  return new Map(creatable.map((resource, i) => [resource.logicalId, (settled[i] as PromiseFulfilledResult<Created>).value]));
}

function assertAcyclic(graph: ReadonlyMap<string, ReadonlySet<string>>): void {
  const done = new Set<string>();
  const visit = (id: string, trail: string[]): void => {
    if (done.has(id)) return;
    if (trail.includes(id)) throw new Error(`The template's resources depend on each other in a cycle: ${[...trail.slice(trail.indexOf(id)), id].join(' → ')}`);
    for (const next of graph.get(id) ?? []) visit(next, [...trail, id]);
    done.add(id);
  };
  for (const id of graph.keys()) visit(id, []);
}
