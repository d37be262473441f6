/** Where the orders CLI finds the Order API, and what it says when it cannot. */
import { ApiUrlError, resolveApiUrl, type ApiUrlSources } from '../../../cli/api-url';
import { UsageError, type GlobalOptions } from '../../../cli/args';

const OUTPUTS_FILE = '/repo/.local-cloud/outputs.json';

function sources(overrides: Partial<ApiUrlSources> & { files?: Record<string, string>; stacks?: Record<string, Record<string, string>> } = {}) {
  const stackCalls: { stack: string; region?: string }[] = [];
  const { files = {}, stacks = {}, ...rest } = overrides;
  const value: ApiUrlSources = {
    env: {},
    localOutputsFile: OUTPUTS_FILE,
    readFile: (path) => files[path],
    stackOutputs: async (stack, region) => {
      stackCalls.push({ stack, ...(region ? { region } : {}) });
      const outputs = stacks[stack];
      if (!outputs) throw new ApiUrlError(`stack ${stack} was not found`);
      return outputs;
    },
    ...rest,
  };
  return { value, stackCalls };
}

const opts = (o: Partial<GlobalOptions> = {}): GlobalOptions => ({ json: false, ...o });
const localCloud = { [OUTPUTS_FILE]: JSON.stringify({ ApiUrl: 'http://127.0.0.1:4000', OrdersTableName: 'orders' }) };

describe('finding the Order API', () => {
  it('given --api-url, uses it (without its trailing slash) before anything else', async () => {
    const { value } = sources({ env: { ORDERS_API_URL: 'http://env.test' }, files: localCloud });
    await expect(resolveApiUrl(opts({ apiUrl: 'https://api.test/' }), value)).resolves.toEqual({ url: 'https://api.test', source: '--api-url' });
  });

  it("given --stack, reads the stack's ApiUrl output, in the region asked for, before the environment", async () => {
    // given
    const { value, stackCalls } = sources({
      env: { ORDERS_API_URL: 'http://env.test' },
      stacks: { EventDrivenOrders: { ApiUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/', OrdersTableName: 't' } },
    });
    // when
    const location = await resolveApiUrl(opts({ stack: 'EventDrivenOrders', region: 'eu-west-1' }), value);
    // then
    expect(location).toEqual({ url: 'https://abc.execute-api.eu-west-1.amazonaws.com', source: 'the ApiUrl output of stack EventDrivenOrders' });
    expect(stackCalls).toEqual([{ stack: 'EventDrivenOrders', region: 'eu-west-1' }]);
  });

  it('given ORDERS_API_URL, uses it before the local cloud outputs', async () => {
    const { value } = sources({ env: { ORDERS_API_URL: 'http://env.test:8080/' }, files: localCloud });
    await expect(resolveApiUrl(opts(), value)).resolves.toEqual({ url: 'http://env.test:8080', source: 'ORDERS_API_URL' });
  });

  it('given nothing but a running local cloud, uses the ApiUrl of .local-cloud/outputs.json', async () => {
    const { value, stackCalls } = sources({ files: localCloud });
    await expect(resolveApiUrl(opts(), value)).resolves.toEqual({ url: 'http://127.0.0.1:4000', source: OUTPUTS_FILE });
    expect(stackCalls).toEqual([]);
  });

  it('given nothing at all, is a usage error that names every way to say where the API is', async () => {
    // when
    const error = await resolveApiUrl(opts(), sources().value, 'get').catch((e: unknown) => e);
    // then
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).command).toBe('get');
    expect((error as Error).message).toBe(
      'no Order API URL: pass --api-url URL, or --stack NAME for a deployed stack, or set ORDERS_API_URL, ' +
        'or start the local cloud with `npm start` (it writes /repo/.local-cloud/outputs.json)',
    );
  });

  it.each([
    [{ [OUTPUTS_FILE]: '{ not json' }, `${OUTPUTS_FILE} is not JSON; start the local cloud again with \`npm start\``],
    [{ [OUTPUTS_FILE]: '{"OrdersTableName":"t"}' }, `${OUTPUTS_FILE} has no "ApiUrl" string; start the local cloud again with \`npm start\``],
    [{ [OUTPUTS_FILE]: '{"ApiUrl":"not a url"}' }, `${OUTPUTS_FILE} is not an http(s) URL: "not a url"`],
  ])('given a local outputs file %j, says what is wrong with it', async (files, message) => {
    await expect(resolveApiUrl(opts(), sources({ files }).value)).rejects.toThrow(new ApiUrlError(message));
  });

  it('given a stack without an ApiUrl output, names the outputs it has', async () => {
    const { value } = sources({ stacks: { Other: { BucketName: 'b', QueueUrl: 'q' } } });
    await expect(resolveApiUrl(opts({ stack: 'Other' }), value)).rejects.toThrow(new ApiUrlError('stack Other has no ApiUrl output (it has BucketName, QueueUrl)'));
  });

  it('given an ORDERS_API_URL that is not a URL, is a usage error', async () => {
    const { value } = sources({ env: { ORDERS_API_URL: 'localhost:3000' } });
    await expect(resolveApiUrl(opts(), value)).rejects.toThrow(new UsageError('ORDERS_API_URL must be an http(s) URL, not "localhost:3000"'));
  });
});
