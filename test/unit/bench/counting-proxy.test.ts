import { capacityUnits, difference, itemSize, parseOperation, RequestLedger, signingService } from '../../../bench/counting-proxy';

const AUTHORIZATION = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=local/20250601/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`;

describe('parseOperation', () => {
  it('reads DynamoDB, DynamoDB Streams and SQS operations from X-Amz-Target', () => {
    expect(parseOperation({ 'x-amz-target': 'DynamoDB_20120810.TransactWriteItems', authorization: AUTHORIZATION('dynamodb') }, '{}')).toEqual({
      service: 'dynamodb',
      operation: 'TransactWriteItems',
    });
    expect(parseOperation({ 'x-amz-target': 'DynamoDBStreams_20120810.GetRecords', authorization: AUTHORIZATION('dynamodb') }, '{}')).toEqual({
      service: 'dynamodbstreams',
      operation: 'GetRecords',
    });
    expect(parseOperation({ 'x-amz-target': 'AmazonSQS.DeleteMessageBatch' }, '{}')).toEqual({ service: 'sqs', operation: 'DeleteMessageBatch' });
  });

  it('reads a query-protocol Action from the form body, and the service from the credential scope', () => {
    const body = 'Action=PublishBatch&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3Atopic';
    expect(parseOperation({ authorization: AUTHORIZATION('sns'), 'content-type': 'application/x-www-form-urlencoded' }, body)).toEqual({
      service: 'sns',
      operation: 'PublishBatch',
    });
  });

  it('falls back to the Action of the URL, and to unknown', () => {
    expect(parseOperation({ authorization: AUTHORIZATION('sqs') }, '', '/?Action=ListQueues')).toEqual({ service: 'sqs', operation: 'ListQueues' });
    expect(parseOperation({}, '')).toEqual({ service: 'unknown', operation: 'unknown' });
  });

  it('takes the signing service from a SigV4 credential scope only', () => {
    expect(signingService(AUTHORIZATION('sns'))).toBe('sns');
    expect(signingService('Bearer token')).toBeUndefined();
    expect(signingService(undefined)).toBeUndefined();
  });
});

describe('itemSize and capacityUnits', () => {
  it('sizes an item as its attribute names plus their values', () => {
    // given: "pk" (2) + "ORDER#1" (7), "n" (1) + 12345 (3 digits pairs + 1 = 4), "ok" (2) + BOOL (1)
    expect(itemSize({ pk: { S: 'ORDER#1' }, n: { N: '12345' }, ok: { BOOL: true } })).toBe(2 + 7 + 1 + 4 + 2 + 1);
    // a map: 3 bytes of overhead, each entry its name, value and one byte
    expect(itemSize({ m: { M: { a: { S: 'xy' } } } })).toBe(1 + 3 + (1 + 2 + 1));
  });

  it('charges a transactional write 2 WRU per item and KB, a put 1 WRU per KB', () => {
    const small = { pk: { S: 'a' } };
    const large = { pk: { S: 'b' }, body: { S: 'x'.repeat(1500) } };
    const transaction = JSON.stringify({ TransactItems: [{ Put: { Item: small } }, { Put: { Item: large } }, { ConditionCheck: {} }] });
    expect(capacityUnits('TransactWriteItems', transaction, '{}')).toEqual({ read: 0, write: 2 * 1 + 2 * 2 + 2 });
    expect(capacityUnits('PutItem', JSON.stringify({ Item: large }), '{}')).toEqual({ read: 0, write: 2 });
  });

  it('adds the listing index’s copy of an item it holds, at 1 WRU per KB outside the transaction’s doubling', () => {
    const listed = { pk: { S: 'ORDER#1' }, listingPk: { S: 'ORDERS#2026-11-30' }, listingSk: { S: 't#1' } };
    const transaction = JSON.stringify({ TransactItems: [{ Put: { Item: listed } }, { Put: { Item: { pk: { S: 'b' } } } }] });
    expect(capacityUnits('TransactWriteItems', transaction, '{}')).toEqual({ read: 0, write: 2 + 1 + 2 });
    expect(capacityUnits('PutItem', JSON.stringify({ Item: listed }), '{}')).toEqual({ read: 0, write: 2 });
  });

  it('charges reads by the items answered: 1 RRU per 4 KB if consistent, half if not, one at least', () => {
    const item = { pk: { S: 'a' }, body: { S: 'x'.repeat(5000) } };
    expect(capacityUnits('GetItem', JSON.stringify({ ConsistentRead: true }), JSON.stringify({ Item: item }))).toEqual({ read: 2, write: 0 });
    expect(capacityUnits('GetItem', '{}', '{}')).toEqual({ read: 0.5, write: 0 });
    const batch = JSON.stringify({ RequestItems: { T: { ConsistentRead: true, Keys: [] } } });
    expect(capacityUnits('BatchGetItem', batch, JSON.stringify({ Responses: { T: [{ pk: { S: 'a' } }, { pk: { S: 'b' } }] } }))).toEqual({ read: 2, write: 0 });
  });
});

describe('RequestLedger', () => {
  it('counts requests, 64 KB chunks, units and errors by caller and operation, and differences of snapshots', () => {
    // given
    const ledger = new RequestLedger();
    const publish = { service: 'sns', operation: 'Publish' };
    ledger.record('functions', publish, { bytes: 1_000, units: { read: 0, write: 0 }, error: false });
    const before = ledger.snapshot();
    // when
    ledger.record('functions', publish, { bytes: 100 * 1024, units: { read: 0, write: 0 }, error: true });
    ledger.record('pollers', { service: 'sqs', operation: 'ReceiveMessage' }, { bytes: 10, units: { read: 0, write: 0 }, error: false });
    // then
    expect(difference(ledger.snapshot(), before)).toEqual([
      { caller: 'functions', service: 'sns', operation: 'Publish', requests: 1, chunks: 2, readUnits: 0, writeUnits: 0, errors: 1 },
      { caller: 'pollers', service: 'sqs', operation: 'ReceiveMessage', requests: 1, chunks: 1, readUnits: 0, writeUnits: 0, errors: 0 },
    ]);
  });
});
