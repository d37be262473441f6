/**
 * `orders … --stack NAME`: the API URL read from a deployed stack's CloudFormation outputs
 * (mocked SDK client), then used against a real HTTP server.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { ApiUrlError } from '../../../cli/api-url';
import { run, type CliDeps } from '../../../cli/main';
import { readStackOutputs } from '../../../cli/stack-outputs';
import { startInMemoryApi, type InMemoryApi } from './support/in-memory-api';

const cloudFormation = mockClient(CloudFormationClient);

function stackWith(outputs: Record<string, string>) {
  return { Stacks: [{ StackName: 'EventDrivenOrders', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE' as const, Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) }] };
}

describe('the API URL of a deployed stack', () => {
  beforeEach(() => cloudFormation.reset());

  it('reads every output of the stack by its key', async () => {
    // given
    cloudFormation.on(DescribeStacksCommand, { StackName: 'EventDrivenOrders' }).resolves(stackWith({ ApiUrl: 'https://abc.example/', OrdersTableName: 'orders' }));
    // when
    const outputs = await readStackOutputs('EventDrivenOrders', 'eu-west-1');
    // then
    expect(outputs).toEqual({ ApiUrl: 'https://abc.example/', OrdersTableName: 'orders' });
    expect(cloudFormation).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'EventDrivenOrders' });
  });

  it('given a stack that does not exist, says so with what to check', async () => {
    // given
    cloudFormation.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id Gone does not exist'), { name: 'ValidationError' }));
    // when
    const error = await readStackOutputs('Gone').catch((e: unknown) => e);
    // then
    expect(error).toBeInstanceOf(ApiUrlError);
    expect((error as Error).message).toBe(
      'cannot read the outputs of stack Gone: Stack with id Gone does not exist (check AWS credentials, AWS_REGION or --region, and the stack name)',
    );
  });

  describe('used by the CLI', () => {
    let api: InMemoryApi;
    beforeAll(async () => {
      api = await startInMemoryApi();
    });
    afterAll(() => api?.stop());

    function deps(out: string[], err: string[]): CliDeps {
      return {
        stdout: (line) => out.push(line),
        stderr: (line) => err.push(line),
        env: {},
        localOutputsFile: '/nowhere/outputs.json',
        readFile: () => undefined,
        stackOutputs: readStackOutputs,
      };
    }

    it("given --stack, gets the order from the API at the stack's ApiUrl output", async () => {
      // given
      cloudFormation.on(DescribeStacksCommand).resolves(stackWith({ ApiUrl: `${api.url}/` }));
      const order = await api.system.orders.placeOrder({ customerId: 'grace', lines: [{ sku: 'BOOK-DDD', quantity: 1, unitPrice: 4500 }] });
      const out: string[] = [];
      const err: string[] = [];
      // when
      const code = await run(['get', order.orderId, '--stack', 'EventDrivenOrders', '--region', 'eu-west-1'], deps(out, err));
      // then
      expect(err).toEqual([]);
      expect(code).toBe(0);
      expect(out[0]).toMatch(new RegExp(`^order ${order.orderId}: (PLACED|PAID|STOCK_RESERVED)$`));
      expect(cloudFormation).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'EventDrivenOrders' });
    });

    it('given a stack without an ApiUrl output, exits 1 naming the outputs it has', async () => {
      // given
      cloudFormation.on(DescribeStacksCommand).resolves(stackWith({ OrdersTableName: 'orders' }));
      const out: string[] = [];
      const err: string[] = [];
      // when
      const code = await run(['get', 'order-1', '--stack', 'EventDrivenOrders'], deps(out, err));
      // then
      expect(code).toBe(1);
      expect(err).toEqual(['orders get: stack EventDrivenOrders has no ApiUrl output (it has OrdersTableName)']);
    });
  });
});
