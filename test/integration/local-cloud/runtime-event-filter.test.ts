/**
 * The stream poller's event filtering, on the patterns CDK's FilterCriteria and FilterRule write
 * into the template, applied to records in the shape Lambda matches them against.
 */
import { FilterCriteria, FilterRule } from 'aws-cdk-lib/aws-lambda';
import { matchesAnyPattern, validateFilterPatterns } from '../../../local/cloud/runtime/event-filter';

/** The pattern as the template holds it: CDK's FilterCriteria.filter(...) serialises it to JSON. */
function patternOf(filter: Record<string, unknown>): unknown {
  return JSON.parse(FilterCriteria.filter(filter)['pattern'] as string) as unknown;
}

function record(eventName: string, newImage?: Record<string, unknown>) {
  return { eventName, eventSource: 'aws:dynamodb', dynamodb: { Keys: { pk: { S: 'k' } }, ...(newImage ? { NewImage: newImage } : {}) } };
}

const outboxInsert = patternOf({ eventName: FilterRule.isEqual('INSERT'), dynamodb: { NewImage: { kind: { S: FilterRule.isEqual('outbox') } } } });

describe('event filter patterns', () => {
  it("match the outbox dispatcher's pattern on outbox inserts only", () => {
    expect(matchesAnyPattern([outboxInsert], record('INSERT', { kind: { S: 'outbox' } }))).toBe(true);
    expect(matchesAnyPattern([outboxInsert], record('INSERT', { kind: { S: 'order' } }))).toBe(false);
    expect(matchesAnyPattern([outboxInsert], record('MODIFY', { kind: { S: 'outbox' } }))).toBe(false);
    expect(matchesAnyPattern([outboxInsert], record('REMOVE'))).toBe(false);
  });

  it('pass a record that matches any of several patterns, and everything when there is none', () => {
    const removes = patternOf({ eventName: FilterRule.isEqual('REMOVE') });
    expect(matchesAnyPattern([outboxInsert, removes], record('REMOVE'))).toBe(true);
    expect(matchesAnyPattern([outboxInsert, removes], record('MODIFY'))).toBe(false);
    expect(matchesAnyPattern([], record('MODIFY'))).toBe(true);
  });

  it.each([
    ['or', { eventName: FilterRule.or('INSERT', 'MODIFY') }, record('MODIFY'), record('REMOVE')],
    ['beginsWith', { dynamodb: { Keys: { pk: { S: FilterRule.beginsWith('k') } } } }, record('INSERT'), { dynamodb: { Keys: { pk: { S: 'x' } } } }],
    ['notEquals', { eventName: FilterRule.notEquals('REMOVE') }, record('INSERT'), record('REMOVE')],
    ['exists', { dynamodb: { NewImage: { kind: { S: FilterRule.exists() } } } }, record('INSERT', { kind: { S: 'a' } }), record('REMOVE')],
    ['notExists', { dynamodb: { NewImage: { kind: { S: FilterRule.notExists() } } } }, record('REMOVE'), record('INSERT', { kind: { S: 'a' } })],
    ['between (numeric, on DynamoDB N strings)', { dynamodb: { NewImage: { n: { N: FilterRule.between(1, 5) } } } }, record('INSERT', { n: { N: '5' } }), record('INSERT', { n: { N: '1' } })],
    ['null', { dynamodb: { NewImage: { kind: FilterRule.null() } } }, record('INSERT', { kind: null }), record('INSERT', { kind: { S: 'a' } })],
  ])('support FilterRule.%s', (_rule, filter, matching, other) => {
    const pattern = patternOf(filter);
    expect(() => validateFilterPatterns([pattern])).not.toThrow();
    expect(matchesAnyPattern([pattern], matching)).toBe(true);
    expect(matchesAnyPattern([pattern], other)).toBe(false);
  });

  it('refuse a pattern they cannot apply rather than let everything through', () => {
    expect(() => validateFilterPatterns([{ eventName: [{ wildcard: 'IN*' }] }])).toThrow(/unsupported rule/);
    expect(() => validateFilterPatterns(['INSERT'])).toThrow(/not a JSON object/);
  });
});
