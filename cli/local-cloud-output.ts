/**
 * What `npm start` adds to `.local-cloud/outputs.json`, beside the stack outputs, under
 * {@link LOCAL_CLOUD_OUTPUT}: how to reach the local cloud's emulators and its queues, as
 * `cdk deploy` would let one find them on AWS (the stack's resources, its template).
 */
import * as z from 'zod/mini';

export const LOCAL_CLOUD_OUTPUT = 'LocalCloud';

export const localCloudOutputSchema = z.object({
  stackName: z.string(),
  region: z.string(),
  endpoints: z.object({ sqs: z.string(), sns: z.string(), dynamodb: z.string() }),
  /** Every queue of the stack as provisioned: what ListStackResources answers on AWS. */
  queues: z.array(z.object({ logicalId: z.string(), url: z.string() })),
  /** The synthesized template the local cloud was provisioned from. */
  templateFile: z.string(),
});

export type LocalCloudOutput = z.infer<typeof localCloudOutputSchema>;
