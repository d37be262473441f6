/**
 * What the local runtime reads from the template without anything to create: the functions (the
 * bundles `cdk synth` wrote, with their configuration pointed at the emulators), their event
 * source mappings, the HTTP routes and the stack outputs, all resolved.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { HttpRoute, LocalEndpoints, LocalFunction, LocalQueue, LocalTable, SqsMapping, StreamMapping } from '../model';
import type { IntrinsicResolver, ProvisionedValue, PseudoParameters } from './intrinsics';
import { boolean, fromJsonText, integer, parseResolved, propertyPath, readProperties, scalarString } from './properties';
import { assetDirectory, type AssemblyStack, type TemplateResource } from './template';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

// ---------------------------------------------------------------------------------------------
// What Ref and Fn::GetAtt answer for resources that exist only as records

/** Lambda's defaults when the template says nothing. */
const DEFAULT_TIMEOUT_SECONDS = 3;
const DEFAULT_MEMORY_MB = 128;

const namedProperties = z.looseObject({ FunctionName: z.string().optional(), LogGroupName: z.string().optional(), StageName: z.string().optional() });

/**
 * The local value of a resource that is not created in an emulator but may be referred to:
 * a function (its name and ARN), a log group, and the HTTP API's parts (local ids: their
 * logical ids). `undefined` for any other type.
 */
export function recordValue(resource: TemplateResource, resolver: IntrinsicResolver, pseudo: PseudoParameters): ProvisionedValue | undefined {
  const partition = pseudo.partition ?? 'aws';
  const id = resource.logicalId;
  switch (resource.type) {
    case 'AWS::Lambda::Function': {
      const name = readProperties(resolver, resource, namedProperties).FunctionName ?? id;
      return { ref: name, attributes: { Arn: functionArn(name, pseudo) } };
    }
    case 'AWS::Logs::LogGroup': {
      const name = readProperties(resolver, resource, namedProperties).LogGroupName ?? id;
      return { ref: name, attributes: { Arn: `arn:${partition}:logs:${pseudo.region}:${pseudo.accountId}:log-group:${name}:*` } };
    }
    case 'AWS::ApiGatewayV2::Api':
      return { ref: id, attributes: { ApiId: id, ApiEndpoint: `https://${id}.execute-api.${pseudo.region}.${pseudo.urlSuffix ?? 'amazonaws.com'}` } };
    case 'AWS::ApiGatewayV2::Stage':
      return { ref: readProperties(resolver, resource, namedProperties).StageName ?? id, attributes: {} };
    case 'AWS::ApiGatewayV2::Integration':
    case 'AWS::ApiGatewayV2::Route':
      return { ref: id, attributes: {} };
    default:
      return undefined;
  }
}

function functionArn(name: string, pseudo: PseudoParameters): string {
  return `arn:${pseudo.partition ?? 'aws'}:lambda:${pseudo.region}:${pseudo.accountId}:function:${name}`;
}

// ---------------------------------------------------------------------------------------------
// Functions

const functionProperties = z.looseObject({
  FunctionName: z.string().optional(),
  Handler: z.string().optional(),
  Runtime: z.string().optional(),
  PackageType: z.enum(['Zip', 'Image']).optional(),
  Environment: z.looseObject({ Variables: z.record(z.string(), scalarString).optional() }).optional(),
  Timeout: integer.optional(),
  MemorySize: integer.optional(),
  Description: z.string().optional(),
});

export interface FunctionContext {
  readonly stack: AssemblyStack;
  readonly resolver: IntrinsicResolver;
  readonly pseudo: PseudoParameters;
  readonly endpoints: LocalEndpoints;
  readonly credentials: Credentials;
}

/**
 * A function as the local host runs it: the bundle `cdk synth` wrote, its handler, and its own
 * environment (resolved to local names and ARNs) plus what Lambda would set and what points the
 * AWS SDK at the emulators.
 */
export function functionRecord(resource: TemplateResource, context: FunctionContext): LocalFunction {
  const props = readProperties(context.resolver, resource, functionProperties);
  const where = propertyPath(resource);
  if (props.PackageType === 'Image') throw new Error(`${where}: container image functions cannot run locally (${resource.logicalId})`);
  if (props.Runtime !== undefined && !props.Runtime.startsWith('nodejs')) {
    throw new Error(`${where}.Runtime: the local host runs Node.js functions only, not ${props.Runtime} (${resource.logicalId})`);
  }
  const handler = props.Handler;
  if (handler === undefined || !/^.+\.[^.]+$/.test(handler)) throw new Error(`${where}.Handler: expected "file.export", got ${JSON.stringify(handler)}`);
  const codeDir = codeDirectory(resource, context);
  const file = handler.slice(0, handler.lastIndexOf('.'));
  if (!['.js', '.cjs', '.mjs'].some((extension) => existsSync(path.join(codeDir, `${file}${extension}`)))) {
    throw new Error(`${where}.Handler: ${codeDir} has no ${file}.js for the handler ${handler} (${resource.logicalId})`);
  }

  const name = props.FunctionName ?? resource.logicalId;
  const memoryMb = props.MemorySize ?? DEFAULT_MEMORY_MB;
  const { region } = context.endpoints;
  const environment: Record<string, string> = {
    ...props.Environment?.Variables,
    // Set by Lambda itself (a template cannot set these).
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    // The emulators, and the dummy credentials every local client of them uses.
    AWS_ACCESS_KEY_ID: context.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: context.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: context.endpoints.dynamodb,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: context.endpoints.dynamodb,
    AWS_ENDPOINT_URL_SNS: context.endpoints.snsSqs,
    AWS_ENDPOINT_URL_SQS: context.endpoints.snsSqs,
  };
  return {
    logicalId: resource.logicalId,
    name,
    arn: functionArn(name, context.pseudo),
    codeDir,
    handler,
    environment,
    timeoutSeconds: props.Timeout ?? DEFAULT_TIMEOUT_SECONDS,
    memoryMb,
    ...(props.Description !== undefined ? { description: props.Description } : {}),
  };
}

/** The asset directory of the function's `Code.S3Key` (`<hash>.zip`). */
function codeDirectory(resource: TemplateResource, context: FunctionContext): string {
  const code = resource.properties['Code'];
  const where = propertyPath(resource, 'Code');
  const s3Key = typeof code === 'object' && code !== null && 'S3Key' in code ? (code as { S3Key: unknown }).S3Key : undefined;
  if (s3Key === undefined) {
    const kind = typeof code === 'object' && code !== null && 'ZipFile' in code ? 'inline code (ZipFile)' : 'code that is not a CDK asset';
    throw new Error(`${where}: ${resource.logicalId} has ${kind}; the local host runs only the bundles of the cloud assembly`);
  }
  const key = context.resolver.resolveString(s3Key, `${where}.S3Key`);
  const directory = assetDirectory(context.stack, key, resource.metadata);
  if (directory === undefined) throw new Error(`${where}.S3Key: no asset directory for ${key} in ${context.stack.directory} (${resource.logicalId}); synthesize again`);
  return directory;
}

// ---------------------------------------------------------------------------------------------
// Event source mappings

const mappingProperties = z.looseObject({
  FunctionName: z.string(),
  EventSourceArn: z.string().optional(),
  Enabled: boolean.optional(),
  BatchSize: integer.optional(),
  MaximumBatchingWindowInSeconds: integer.optional(),
  FunctionResponseTypes: z.array(z.string()).optional(),
  ScalingConfig: z.looseObject({ MaximumConcurrency: integer.optional() }).optional(),
  StartingPosition: z.string().optional(),
  BisectBatchOnFunctionError: boolean.optional(),
  MaximumRetryAttempts: integer.optional(),
  MaximumRecordAgeInSeconds: integer.optional(),
  DestinationConfig: z.looseObject({ OnFailure: z.looseObject({ Destination: z.string() }).optional() }).optional(),
  FilterCriteria: z.looseObject({ Filters: z.array(z.looseObject({ Pattern: z.string().optional() })).optional() }).optional(),
});

const filterPattern = z.preprocess(fromJsonText, z.record(z.string(), z.unknown()));

/** Lambda's defaults for the event source mappings. */
const SQS_DEFAULT_BATCH_SIZE = 10;
const STREAM_DEFAULT_BATCH_SIZE = 100;

export interface MappingContext {
  readonly resolver: IntrinsicResolver;
  readonly functions: readonly LocalFunction[];
  readonly queues: readonly LocalQueue[];
  readonly tables: readonly LocalTable[];
  readonly log: (message: string) => void;
}

export type MappingRecord = { readonly kind: 'sqs'; readonly mapping: SqsMapping } | { readonly kind: 'stream'; readonly mapping: StreamMapping } | undefined;

/** An SQS or DynamoDB Stream mapping; `undefined` for a disabled one. */
export function mappingRecord(resource: TemplateResource, context: MappingContext): MappingRecord {
  const props = readProperties(context.resolver, resource, mappingProperties);
  const where = propertyPath(resource);
  if (props.Enabled === false) {
    context.log(`Event source mapping ${resource.logicalId} left out: it is disabled in the template`);
    return undefined;
  }
  const functionLogicalId = functionOf(props.FunctionName, context.functions, `${where}.FunctionName`);
  const sourceArn = props.EventSourceArn;
  const reportBatchItemFailures = (props.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures');
  const patterns = (props.FilterCriteria?.Filters ?? []).flatMap((filter, i) =>
    filter.Pattern === undefined ? [] : [parseResolved(filterPattern, filter.Pattern, resource, `FilterCriteria.Filters[${i}].Pattern`)],
  );

  const queue = context.queues.find((q) => q.arn === sourceArn);
  if (queue !== undefined) {
    if (patterns.length > 0) {
      throw new Error(`${where}.FilterCriteria: filters on an SQS event source are not supported locally yet (the model's SqsMapping has no filter patterns)`);
    }
    return {
      kind: 'sqs',
      mapping: {
        logicalId: resource.logicalId,
        functionLogicalId,
        queueUrl: queue.queueUrl,
        queueArn: queue.arn,
        batchSize: props.BatchSize ?? SQS_DEFAULT_BATCH_SIZE,
        maxBatchingWindowSeconds: props.MaximumBatchingWindowInSeconds ?? 0,
        reportBatchItemFailures,
        maxConcurrency: props.ScalingConfig?.MaximumConcurrency ?? 1,
      },
    };
  }

  const table = context.tables.find((t) => t.streamArn !== undefined && t.streamArn === sourceArn);
  if (table?.streamArn !== undefined) {
    const startingPosition = props.StartingPosition;
    if (startingPosition !== 'TRIM_HORIZON' && startingPosition !== 'LATEST') {
      throw new Error(`${where}.StartingPosition: a DynamoDB stream starts at TRIM_HORIZON or LATEST, not ${JSON.stringify(startingPosition)}`);
    }
    const destination = props.DestinationConfig?.OnFailure?.Destination;
    const failureQueue = destination === undefined ? undefined : context.queues.find((q) => q.arn === destination);
    if (destination !== undefined && failureQueue === undefined) {
      throw new Error(`${where}.DestinationConfig.OnFailure.Destination: ${destination} is not a queue of this template (only SQS on-failure destinations are supported locally)`);
    }
    return {
      kind: 'stream',
      mapping: {
        logicalId: resource.logicalId,
        functionLogicalId,
        tableName: table.tableName,
        streamArn: table.streamArn,
        startingPosition,
        batchSize: props.BatchSize ?? STREAM_DEFAULT_BATCH_SIZE,
        bisectBatchOnFunctionError: props.BisectBatchOnFunctionError ?? false,
        maximumRetryAttempts: props.MaximumRetryAttempts ?? -1,
        maximumRecordAgeSeconds: props.MaximumRecordAgeInSeconds ?? -1,
        reportBatchItemFailures,
        ...(failureQueue ? { onFailureQueueUrl: failureQueue.queueUrl } : {}),
        filterPatterns: patterns,
      },
    };
  }
  throw new Error(`${where}.EventSourceArn: ${String(sourceArn)} is neither a queue nor a table stream of this template (${resource.logicalId})`);
}

/** The logical id of the function a name, an ARN or a qualified ARN designates. */
function functionOf(nameOrArn: string, functions: readonly LocalFunction[], where: string): string {
  const name = /:function:([^:]+)/.exec(nameOrArn)?.[1] ?? nameOrArn.split(':')[0];
  const found = functions.find((f) => f.arn === nameOrArn || f.name === name);
  if (found === undefined) throw new Error(`${where}: ${nameOrArn} is not a function of this template`);
  return found.logicalId;
}

// ---------------------------------------------------------------------------------------------
// HTTP routes

const routeProperties = z.looseObject({ RouteKey: z.string(), Target: z.string().optional() });
const integrationProperties = z.looseObject({
  IntegrationType: z.string(),
  IntegrationUri: z.string().optional(),
  PayloadFormatVersion: z.string().optional(),
});

export interface RouteContext {
  readonly resolver: IntrinsicResolver;
  readonly stack: AssemblyStack;
  readonly functions: readonly LocalFunction[];
  readonly log: (message: string) => void;
}

/**
 * A route of an HTTP API and the function behind its Lambda proxy integration; `undefined` for a
 * route without a target (API Gateway answers it with an error, as the bridge does for no route).
 */
export function routeRecord(resource: TemplateResource, context: RouteContext): HttpRoute | undefined {
  const props = readProperties(context.resolver, resource, routeProperties);
  const where = propertyPath(resource);
  if (props.Target === undefined) {
    context.log(`Route ${resource.logicalId} (${props.RouteKey}) left out: it has no integration target`);
    return undefined;
  }
  const integrationId = /^integrations\/(.+)$/.exec(props.Target)?.[1];
  const integration = [...context.stack.template.resources.values()].find((r) => r.type === 'AWS::ApiGatewayV2::Integration' && r.logicalId === integrationId);
  if (integration === undefined) throw new Error(`${where}.Target: ${props.Target} is not an integration of this template`);
  const integrationProps = readProperties(context.resolver, integration, integrationProperties);
  const at = propertyPath(integration);
  if (integrationProps.IntegrationType !== 'AWS_PROXY') {
    throw new Error(`${at}.IntegrationType: the HTTP bridge serves Lambda proxy integrations only, not ${integrationProps.IntegrationType}`);
  }
  if ((integrationProps.PayloadFormatVersion ?? '2.0') !== '2.0') {
    throw new Error(`${at}.PayloadFormatVersion: the HTTP bridge sends payload format 2.0 events only, not ${integrationProps.PayloadFormatVersion}`);
  }
  const functionArnInUri = /arn:[^:]+:lambda:[^:]+:[^:]+:function:[^/:]+/.exec(integrationProps.IntegrationUri ?? '')?.[0];
  if (functionArnInUri === undefined) throw new Error(`${at}.IntegrationUri: ${String(integrationProps.IntegrationUri)} names no Lambda function`);
  const functionLogicalId = functionOf(functionArnInUri, context.functions, `${at}.IntegrationUri`);

  const routeKey = props.RouteKey;
  const space = routeKey.indexOf(' ');
  // `$default` catches every request no other route matches.
  const [method, routePath] = space < 0 ? ['ANY', routeKey] : [routeKey.slice(0, space), routeKey.slice(space + 1)];
  return { method, path: routePath, functionLogicalId };
}
