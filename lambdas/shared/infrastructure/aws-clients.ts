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

/** One client per endpoint and per container, built on first use. */
function perEndpoint<C>(make: (options: ClientOptions) => C): (options?: ClientOptions) => C {
  const clients = new Map<string, C>();
  return (options = {}) => {
    const key = options.endpoint ?? '';
    let client = clients.get(key);
    if (!client) {
      client = make(options);
      clients.set(key, client);
    }
    return client;
  };
}

const endpointConfig = (options: ClientOptions) => (options.endpoint ? { endpoint: options.endpoint } : {});

export const dynamoDbClient = /* @__PURE__ */ perEndpoint((options) => new DynamoDBClient(endpointConfig(options)));
export const snsClient = /* @__PURE__ */ perEndpoint((options) => new SNSClient(endpointConfig(options)));
