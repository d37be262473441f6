/** Why a dead letter is there, from its body: the envelope validation every consumer runs, or a stream failure record. */
import { diagnose, formatDiagnosis } from '../../../cli/dlq/diagnosis';
import { catalogue } from '../../../lambdas/shared/events/catalogue';
import { anEvent } from '../../support/factories';

describe('diagnosing a dead letter', () => {
  it('given a valid event, says it is not poison and names its correlation id to look for', () => {
    // given
    const event = anEvent('order.placed', {}, { id: 'evt-valid', correlationId: 'corr-9' });
    // when
    const diagnosis = diagnose(JSON.stringify(event), 'dead-letter');
    // then
    const version = catalogue['order.placed'].version;
    expect(diagnosis).toEqual({ kind: 'valid-event', type: 'order.placed', version, id: 'evt-valid', correlationId: 'corr-9' });
    expect(formatDiagnosis(diagnosis)[0]).toBe(`valid order.placed v${version} (id evt-valid, correlation corr-9):`);
  });

  it.each([
    ['a body that is not JSON', () => 'not json {', 'MALFORMED'],
    ['an event type the catalogue does not know', () => JSON.stringify({ ...anEvent('order.placed'), type: 'order.shipped' }), 'UNKNOWN_TYPE'],
    ['a version newer than this code reads', () => JSON.stringify({ ...anEvent('order.placed'), version: 99 }), 'UNSUPPORTED_VERSION'],
    ['an envelope without its ids', () => JSON.stringify({ ...anEvent('order.placed'), correlationId: '' }), 'INVALID_ENVELOPE'],
  ])('given %s, says it is poison: %s', (_, body, reason) => {
    // when
    const diagnosis = diagnose(body(), 'dead-letter');
    // then
    expect(diagnosis).toMatchObject({ kind: 'invalid-event', reason });
    expect(formatDiagnosis(diagnosis)[0]).toMatch(new RegExp(`^poison: ${reason}: `));
  });

  it('given data that breaks the event schema in one field, says so in a line', () => {
    // given
    const event = anEvent('order.placed');
    // when
    const diagnosis = diagnose(JSON.stringify({ ...event, data: { ...event.data, total: -1 } }), 'dead-letter');
    // then
    expect(formatDiagnosis(diagnosis)).toEqual([expect.stringMatching(/^poison: INVALID_DATA: order\.placed: data\.total must be/)]);
  });

  it('given data that breaks the event schema in several fields, names each field at fault on a line of its own', () => {
    // given
    const event = anEvent('order.placed');
    const body = JSON.stringify({ ...event, data: { ...event.data, total: 'ninety', currency: undefined } });
    // when
    const diagnosis = diagnose(body, 'dead-letter');
    // then
    expect(diagnosis).toMatchObject({ kind: 'invalid-event', reason: 'INVALID_DATA' });
    const lines = formatDiagnosis(diagnosis);
    expect(lines).toEqual(['poison: INVALID_DATA, 2 fields at fault:', '  data.total: must be a number', '  data.currency: is required (a string)']);
  });

  it('given a stream failure record, says where the failed batch is', () => {
    // given what Lambda sends to a stream source's on-failure destination
    const record = {
      requestContext: { requestId: 'r-1', functionArn: 'arn:aws:lambda:eu-west-1:1:function:dispatch', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 11 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '2026-01-01T12:00:00.000Z',
      DDBStreamBatchInfo: {
        shardId: 'shard-1',
        startSequenceNumber: '100',
        endSequenceNumber: '104',
        approximateArrivalOfFirstRecord: '2026-01-01T11:59:00.000Z',
        approximateArrivalOfLastRecord: '2026-01-01T11:59:01.000Z',
        batchSize: 5,
        streamArn: 'arn:aws:dynamodb:eu-west-1:1:table/orders/stream/2026',
      },
    };
    // when
    const diagnosis = diagnose(JSON.stringify(record), 'stream-failure');
    // then
    expect(formatDiagnosis(diagnosis)).toEqual([
      'stream batch RetryAttemptsExhausted after 11 attempt(s) (Unhandled): 5 record(s)',
      '  shard shard-1, sequence 100 to 104',
      '  stream arn:aws:dynamodb:eu-west-1:1:table/orders/stream/2026',
    ]);
  });

  it('given something else in a stream failure queue, says it is not a failure record', () => {
    expect(diagnose('{"hello":1}', 'stream-failure')).toEqual({ kind: 'unrecognised', message: 'JSON, but not a stream failure record (no DDBStreamBatchInfo)' });
    expect(diagnose('hello', 'stream-failure')).toMatchObject({ kind: 'unrecognised' });
  });
});
