/** A deployed stack's outputs, read with the AWS SDK (credentials and region as for the AWS CLI). */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ApiUrlError } from './api-url';

export async function readStackOutputs(stackName: string, region?: string, given?: CloudFormationClient): Promise<Record<string, string>> {
  // Loaded here, not at start-up: only --stack needs the SDK, and every other command starts faster without it.
  const sdk = await import('@aws-sdk/client-cloudformation');
  const client = given ?? new sdk.CloudFormationClient(region ? { region } : {});
  try {
    const { Stacks } = await client.send(new sdk.DescribeStacksCommand({ StackName: stackName }));
    const stack = Stacks?.[0];
    if (!stack) throw new ApiUrlError(`stack ${stackName} was not found`);
    return Object.fromEntries((stack.Outputs ?? []).flatMap((o) => (o.OutputKey && o.OutputValue !== undefined ? [[o.OutputKey, o.OutputValue]] : [])));
  } catch (error) {
    if (error instanceof ApiUrlError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ApiUrlError(`cannot read the outputs of stack ${stackName}: ${reason} (check AWS credentials, AWS_REGION or --region, and the stack name)`);
  } finally {
    if (!given) client.destroy();
  }
}
