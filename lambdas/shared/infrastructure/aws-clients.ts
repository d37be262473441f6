/**
 * SDK clients built once per Lambda container (module scope), reused by every invocation.
 *
 * Endpoints: the SDK itself honours `AWS_ENDPOINT_URL_DYNAMODB`, then `AWS_ENDPOINT_URL` (and
 * `endpoint_url` in a shared config profile) — see `getEndpointUrlConfig` in
 * `@smithy/core/endpoints`. So the local cloud only sets the environment variable; the
 * `endpoint` option is for callers that hold the address in code (tests, the local runner).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';

export interface ClientOptions {
  /** e.g. `http://127.0.0.1:8000` for DynamoDB Local; absent: the SDK's own resolution. */
  readonly endpoint?: string;
}

const dynamoDbClients = new Map<string, DynamoDBClient>();

export function dynamoDbClient(options: ClientOptions = {}): DynamoDBClient {
  const key = options.endpoint ?? '';
  let client = dynamoDbClients.get(key);
  if (!client) {
    client = new DynamoDBClient(options.endpoint ? { endpoint: options.endpoint } : {});
    dynamoDbClients.set(key, client);
  }
  return client;
}

const snsClients = new Map<string, SNSClient>();

export function snsClient(options: ClientOptions = {}): SNSClient {
  const key = options.endpoint ?? '';
  let client = snsClients.get(key);
  if (!client) {
    client = new SNSClient(options.endpoint ? { endpoint: options.endpoint } : {});
    snsClients.set(key, client);
  }
  return client;
}
