/**
 * The region and dummy credentials every local emulator is addressed with.
 *
 * Neither emulator checks signatures, but both read the request's credential scope: DynamoDB Local
 * keeps one database per access key and region (unless started with `-sharedDb`), fauxqs puts the
 * region into queue and topic ARNs. So every client of one emulator must use these same values,
 * and they are passed explicitly so that nothing from the developer's AWS profile or environment
 * (`AWS_PROFILE`, `AWS_REGION`, real keys) leaks into a local run.
 */

export const LOCAL_REGION = 'us-east-1';
/** The account fauxqs puts in every topic and queue ARN; the local cloud uses it everywhere. */
export const LOCAL_ACCOUNT_ID = '000000000000';

export const LOCAL_CREDENTIALS = {
  accessKeyId: 'local',
  secretAccessKey: 'local',
} as const;

export const LOCAL_AWS = {
  region: LOCAL_REGION,
  credentials: LOCAL_CREDENTIALS,
} as const;

/** Configuration accepted by any AWS SDK v3 client constructor (DynamoDB, SNS, SQS, ...). */
export interface LocalClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/**
 * SDK client configuration for an emulator at `endpoint`, e.g.
 * `new DynamoDBClient(localClientConfig(dynamo.endpoint))`.
 */
export function localClientConfig(endpoint: string): LocalClientConfig {
  return { endpoint, region: LOCAL_REGION, credentials: { ...LOCAL_CREDENTIALS } };
}
