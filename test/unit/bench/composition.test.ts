import { decodeVlq, extraOver, groupOf } from '../../../bench/cold-start/composition';

describe('bundle composition helpers', () => {
  it('decodes base64 VLQ source map segments', () => {
    expect(decodeVlq('AAAA')).toEqual([0, 0, 0, 0]);
    expect(decodeVlq('AACA')).toEqual([0, 0, 1, 0]);
    expect(decodeVlq('D')).toEqual([-1]);
    expect(decodeVlq('gB')).toEqual([16]);
    expect(decodeVlq('2HwBmB')).toEqual([123, 24, 19]);
  });

  it('groups sources by package, or by their first two project folders', () => {
    expect(groupOf('../../node_modules/zod/v4/core/schemas.js')).toBe('zod');
    expect(groupOf('../../node_modules/@aws-sdk/client-sns/dist-es/index.js')).toBe('@aws-sdk/client-sns');
    expect(groupOf('../../node_modules/@smithy/core/node_modules/x/index.js')).toBe('x');
    expect(groupOf('../../lambdas/shared/events/catalogue.ts')).toBe('lambdas/shared');
    expect(groupOf('entry.ts')).toBe('entry.ts');
  });

  it('lists what a bundle has beyond its floor, largest first, ignoring crumbs', () => {
    const bundle = new Map([
      ['zod', 26_000],
      ['@aws-sdk/client-dynamodb', 30_000],
      ['lambdas/shared', 12_000],
      ['@smithy/core', 133_300],
    ]);
    const floor = new Map([
      ['@aws-sdk/client-dynamodb', 29_900],
      ['@smithy/core', 133_000],
    ]);
    expect(extraOver(bundle, floor)).toEqual([
      ['zod', 26_000],
      ['lambdas/shared', 12_000],
    ]);
  });
});
