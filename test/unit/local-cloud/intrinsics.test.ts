/** CloudFormation intrinsic functions, resolved against local values; anything unknown fails loudly, naming what and where. */
import { IntrinsicError, IntrinsicResolver, referencesOf, type ProvisionedValue } from '../../../local/cloud/provision/intrinsics';
import { parseTemplate } from '../../../local/cloud/provision/template';

const TEMPLATE = parseTemplate({
  Parameters: {
    Stage: { Type: 'String', Default: 'dev' },
    Zones: { Type: 'CommaDelimitedList', Default: 'a,b,c' },
    BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/hnb659fds/version' },
  },
  Conditions: {
    IsDev: { 'Fn::Equals': [{ Ref: 'Stage' }, 'dev'] },
    IsProd: { 'Fn::Not': [{ Condition: 'IsDev' }] },
    DevInUsEast1: { 'Fn::And': [{ Condition: 'IsDev' }, { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] }] },
    ProdOrEu: { 'Fn::Or': [{ Condition: 'IsProd' }, { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] }] },
  },
  Mappings: { Sizes: { dev: { memory: 256 } } },
  Resources: {
    Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
    Role: { Type: 'AWS::IAM::Role', Properties: {} },
    ProdOnly: { Type: 'AWS::SQS::Queue', Condition: 'IsProd', Properties: {} },
    NotYet: { Type: 'AWS::SNS::Topic', Properties: {} },
  },
});

const VALUES = new Map<string, ProvisionedValue>([
  ['Table', { ref: 'OrdersTable', attributes: { Arn: 'arn:aws:dynamodb:ddblocal:000000000000:table/OrdersTable', StreamArn: 'arn:stream/1' } }],
  ['Queue', { ref: 'http://127.0.0.1:9324/000000000000/Queue', attributes: { Arn: 'arn:aws:sqs:us-east-1:000000000000:Queue', QueueName: 'Queue' } }],
]);

function resolver(parameters?: Record<string, string>): IntrinsicResolver {
  return new IntrinsicResolver({
    template: TEMPLATE,
    pseudo: { region: 'us-east-1', accountId: '000000000000', stackName: 'Orders' },
    ...(parameters ? { parameters } : {}),
    values: VALUES,
    whyNoValue: (resource) => (resource.type === 'AWS::IAM::Role' ? 'there is no IAM locally' : undefined),
  });
}

const resolve = (value: unknown): unknown => resolver().resolve(value, 'Resources.Fn.Properties.X');

/** The IntrinsicError `act` throws (failing the test if it throws nothing or something else). */
function errorOf(act: () => unknown): IntrinsicError {
  let thrown: unknown;
  try {
    act();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(IntrinsicError);
  return thrown as IntrinsicError;
}

describe('Ref', () => {
  it('gives a resource its local value', () => {
    expect(resolve({ Ref: 'Table' })).toBe('OrdersTable');
    expect(resolve({ Ref: 'Queue' })).toBe('http://127.0.0.1:9324/000000000000/Queue');
  });

  it('answers the pseudo parameters', () => {
    expect(
      resolve({
        region: { Ref: 'AWS::Region' },
        account: { Ref: 'AWS::AccountId' },
        partition: { Ref: 'AWS::Partition' },
        suffix: { Ref: 'AWS::URLSuffix' },
        stack: { Ref: 'AWS::StackName' },
      }),
    ).toEqual({ region: 'us-east-1', account: '000000000000', partition: 'aws', suffix: 'amazonaws.com', stack: 'Orders' });
  });

  it('drops a property or a list element that is AWS::NoValue', () => {
    expect(resolve({ Keep: 'x', Drop: { Ref: 'AWS::NoValue' }, List: ['a', { Ref: 'AWS::NoValue' }, 'b'] })).toEqual({ Keep: 'x', List: ['a', 'b'] });
  });

  it('gives a parameter its default, or the value passed in', () => {
    expect(resolve({ Ref: 'Stage' })).toBe('dev');
    expect(resolver({ Stage: 'prod' }).resolve({ Ref: 'Stage' }, 'p')).toBe('prod');
    expect(resolve({ Ref: 'Zones' })).toEqual(['a', 'b', 'c']);
  });

  it('refuses an SSM parameter nobody gave a value (its default is a parameter name, not a value)', () => {
    expect(errorOf(() => resolve({ Ref: 'BootstrapVersion' })).message).toMatch(/BootstrapVersion .*has no local value/);
  });
});

describe('Fn::GetAtt', () => {
  it('reads an attribute, in the list form and the dotted form', () => {
    expect(resolve({ 'Fn::GetAtt': ['Table', 'Arn'] })).toBe('arn:aws:dynamodb:ddblocal:000000000000:table/OrdersTable');
    expect(resolve({ 'Fn::GetAtt': 'Table.StreamArn' })).toBe('arn:stream/1');
    expect(resolve({ 'Fn::GetAtt': ['Queue', 'QueueName'] })).toBe('Queue');
  });

  it('refuses an attribute the resource does not have locally, saying which it has', () => {
    const error = errorOf(() => resolver().resolve({ 'Fn::GetAtt': ['Queue', 'QueueUrl'] }, 'Resources.Fn.Properties.Environment.Variables.URL'));
    expect(error.reference).toBe('Queue');
    expect(error.path).toBe('Resources.Fn.Properties.Environment.Variables.URL.Fn::GetAtt');
    expect(error.message).toContain('Queue (AWS::SQS::Queue) has no attribute QueueUrl locally (it has Arn, QueueName)');
  });
});

describe('Fn::Join, Fn::Select, Fn::Split', () => {
  it('joins resolved values', () => {
    expect(resolve({ 'Fn::Join': ['', ['{"table":"', { Ref: 'Table' }, '","queue":"', { 'Fn::GetAtt': ['Queue', 'Arn'] }, '"}']] })).toBe(
      '{"table":"OrdersTable","queue":"arn:aws:sqs:us-east-1:000000000000:Queue"}',
    );
    expect(resolve({ 'Fn::Join': [',', { Ref: 'Zones' }] })).toBe('a,b,c');
  });

  it('selects from a list, also one made by Fn::Split', () => {
    expect(resolve({ 'Fn::Select': [1, ['x', { Ref: 'Table' }]] })).toBe('OrdersTable');
    expect(resolve({ 'Fn::Select': ['5', { 'Fn::Split': [':', { 'Fn::GetAtt': ['Queue', 'Arn'] }] }] })).toBe('Queue');
    expect(resolve({ 'Fn::Split': ['/', 'a/b'] })).toEqual(['a', 'b']);
  });

  it('refuses an index outside the list', () => {
    expect(errorOf(() => resolve({ 'Fn::Select': [2, ['a', 'b']] })).message).toMatch(/index 2 is outside the list of 2/);
  });

  it('refuses to write an object into a string rather than producing "[object Object]"', () => {
    const error = errorOf(() => resolve({ 'Fn::Join': ['', ['a', { nested: true }]] }));
    expect(error.message).toMatch(/Expected a string, got \{"nested":true\}/);
    expect(error.path).toBe('Resources.Fn.Properties.X.Fn::Join[1][1]');
  });
});

describe('Fn::Sub', () => {
  it('substitutes references, attributes and pseudo parameters, and keeps ${!literal}', () => {
    expect(resolve({ 'Fn::Sub': 'arn:${AWS::Partition}:x:${AWS::Region}:${AWS::AccountId}:${Table}/${Queue.QueueName} ${!Literal}' })).toBe(
      'arn:aws:x:us-east-1:000000000000:OrdersTable/Queue ${Literal}',
    );
  });

  it('substitutes its own variables first, themselves resolved', () => {
    expect(resolve({ 'Fn::Sub': ['${Name}-${Stage}', { Name: { 'Fn::GetAtt': ['Queue', 'QueueName'] } }] })).toBe('Queue-dev');
  });

  it('names the unknown variable', () => {
    const error = errorOf(() => resolve({ 'Fn::Sub': 'x-${Missing}' }));
    expect(error.reference).toBe('Missing');
    expect(error.message).toMatch(/Missing is neither a resource nor a parameter/);
  });
});

describe('conditions and Fn::If', () => {
  it('chooses the branch of the condition', () => {
    expect(resolve({ 'Fn::If': ['IsDev', { Ref: 'Table' }, 'other'] })).toBe('OrdersTable');
    expect(resolver({ Stage: 'prod' }).resolve({ 'Fn::If': ['IsDev', 'dev', { Ref: 'AWS::NoValue' }] }, 'p')).toBeUndefined();
  });

  it('evaluates Fn::Equals, Fn::Not, Fn::And, Fn::Or and Condition', () => {
    const dev = resolver();
    expect([dev.condition('IsDev', 'c'), dev.condition('IsProd', 'c'), dev.condition('DevInUsEast1', 'c'), dev.condition('ProdOrEu', 'c')]).toEqual([
      true,
      false,
      true,
      false,
    ]);
    expect(resolver({ Stage: 'prod' }).condition('ProdOrEu', 'c')).toBe(true);
  });

  it('refuses a reference to a resource whose condition is false', () => {
    expect(errorOf(() => resolve({ Ref: 'ProdOnly' })).message).toMatch(/ProdOnly is not created: its condition IsProd is false/);
  });

  it('refuses an unknown condition', () => {
    expect(errorOf(() => resolve({ 'Fn::If': ['Nope', 'a', 'b'] })).reference).toBe('Nope');
  });
});

describe('Fn::FindInMap and Fn::Base64', () => {
  it('looks up a mapping and encodes base64', () => {
    expect(resolve({ 'Fn::FindInMap': ['Sizes', { Ref: 'Stage' }, 'memory'] })).toBe(256);
    expect(resolve({ 'Fn::Base64': { Ref: 'Table' } })).toBe(Buffer.from('OrdersTable').toString('base64'));
  });

  it('refuses a key the mapping lacks', () => {
    expect(errorOf(() => resolve({ 'Fn::FindInMap': ['Sizes', 'prod', 'memory'] })).message).toMatch(/The mapping Sizes has no prod.memory/);
  });
});

describe('what cannot be resolved', () => {
  it('names an unknown logical id and the place that refers to it', () => {
    const error = errorOf(() => resolver().resolve({ Ref: 'Ghost' }, 'Resources.Api.Properties.Environment.Variables.TABLE_NAME'));
    expect(error.reference).toBe('Ghost');
    expect(error.path).toBe('Resources.Api.Properties.Environment.Variables.TABLE_NAME.Ref');
    expect(error.message).toBe(
      'Ghost is neither a resource nor a parameter of the template, nor a pseudo parameter (at Resources.Api.Properties.Environment.Variables.TABLE_NAME.Ref)',
    );
  });

  it('says why a resource of a type never provisioned locally has no value', () => {
    expect(errorOf(() => resolve({ 'Fn::GetAtt': ['Role', 'Arn'] })).message).toMatch(/Role \(AWS::IAM::Role\) has no local value: there is no IAM locally/);
  });

  it('says a resource has not been provisioned yet when its value is missing', () => {
    expect(errorOf(() => resolve({ Ref: 'NotYet' })).message).toMatch(/NotYet \(AWS::SNS::Topic\) has no local value: it has not been provisioned/);
  });

  it('refuses an unknown pseudo parameter, an unsupported function and a made-up one', () => {
    expect(errorOf(() => resolve({ Ref: 'AWS::Nope' })).message).toMatch(/AWS::Nope is not a pseudo parameter/);
    expect(errorOf(() => resolve({ 'Fn::GetAZs': '' })).message).toMatch(/Fn::GetAZs is not supported by the local cloud/);
    expect(errorOf(() => resolve({ 'Fn::Frobnicate': [] })).message).toMatch(/Fn::Frobnicate is not a CloudFormation intrinsic function/);
  });

  it('refuses malformed arguments', () => {
    expect(errorOf(() => resolve({ 'Fn::Join': ['only-one'] })).message).toMatch(/Expected a list of 2 arguments/);
    expect(errorOf(() => resolve({ 'Fn::GetAtt': 'NoDot' })).message).toMatch(/LogicalId.Attribute/);
  });
});

describe('referencesOf', () => {
  it('lists the logical ids referred to by Ref, Fn::GetAtt and Fn::Sub, but not pseudo parameters, Sub variables or literals', () => {
    const value = {
      A: { Ref: 'Table' },
      B: { 'Fn::GetAtt': ['Queue', 'Arn'] },
      C: { 'Fn::GetAtt': 'Other.Arn' },
      D: { 'Fn::Sub': ['${Topic}-${Var}-${AWS::Region}-${!Lit}-${Dotted.Name}', { Var: { Ref: 'Param' } }] },
      E: [{ Ref: 'AWS::AccountId' }],
    };
    expect([...referencesOf(value)].sort()).toEqual(['Dotted', 'Other', 'Param', 'Queue', 'Table', 'Topic']);
  });
});
