/**
 * AWS list prices in us-east-1 (US East, N. Virginia), the one place the benchmark takes them from.
 *
 * The machine this benchmark was written on cannot reach the web: these are the published list
 * prices as known to the author, believed current on PRICES_AS_OF, and must be re-checked
 * against the source pages below before anyone quotes a figure. Free tiers are left out (a cost
 * per million orders is a cost at scale), as are data transfer, CloudWatch Logs and KMS.
 *
 * Sources:
 * - AWS Lambda: https://aws.amazon.com/lambda/pricing/
 * - Amazon API Gateway (HTTP APIs): https://aws.amazon.com/api-gateway/pricing/
 * - Amazon SNS: https://aws.amazon.com/sns/pricing/
 * - Amazon SQS: https://aws.amazon.com/sqs/pricing/
 * - Amazon DynamoDB on-demand: https://aws.amazon.com/dynamodb/pricing/on-demand/
 */

export const PRICES_AS_OF = '2025-06-01';
export const PRICES_REGION = 'us-east-1';
export const PRICES_NOTE =
  'Published us-east-1 list prices as known on 2025-06-01 (no web access when written): re-check against the AWS pricing pages named in bench/prices.ts.';

export const PRICES = {
  lambda: {
    /** USD per request (invocation): $0.20 per million. */
    perRequest: 0.2 / 1e6,
    /** USD per GB-second on arm64 (Graviton), first 7.5 billion GB-s a month: $0.0000133334. */
    perGbSecondArm64: 0.0000133334,
    /** Lambda bills duration rounded up to the millisecond. */
    billingGranularityMs: 1,
  },
  apiGateway: {
    /** HTTP API, USD per request (first 300 million a month), metered in 512 KB increments: $1.00 per million. */
    perHttpApiRequest: 1.0 / 1e6,
  },
  sns: {
    /** Standard topic, USD per API request, each 64 KB chunk of a publish billed as one: $0.50 per million. */
    perRequest: 0.5 / 1e6,
    /** Deliveries from SNS to SQS queues are not charged. */
    perSqsDelivery: 0,
  },
  sqs: {
    /** Standard queue, USD per API request (ReceiveMessage, DeleteMessageBatch, ...), per 64 KB chunk: $0.40 per million. */
    perRequest: 0.4 / 1e6,
  },
  dynamodb: {
    /** On-demand, Standard table class, USD per write request unit (since the 1 Nov 2024 price cut): $0.625 per million. */
    perWriteRequestUnit: 0.625 / 1e6,
    /** On-demand, Standard table class, USD per read request unit: $0.125 per million. */
    perReadRequestUnit: 0.125 / 1e6,
    /** GetRecords calls made by Lambda's stream event source mappings are not charged. */
    perStreamReadByLambdaTrigger: 0,
  },
} as const;
