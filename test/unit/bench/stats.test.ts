import { percentile, ratio, summarize } from '../../../bench/stats';

describe('percentile (nearest rank)', () => {
  it('takes the smallest value with at least p % of the values at or below it', () => {
    // given
    const values = [15, 20, 35, 40, 50];
    // then
    expect(percentile(values, 30)).toBe(20);
    expect(percentile(values, 40)).toBe(20);
    expect(percentile(values, 50)).toBe(35);
    expect(percentile(values, 100)).toBe(50);
    expect(percentile(values, 0)).toBe(15);
  });

  it('does not depend on the order of the values', () => {
    expect(percentile([50, 15, 40, 20, 35], 50)).toBe(35);
  });

  it('is the maximum for p99 of fewer than a hundred values', () => {
    const values = Array.from({ length: 40 }, (_, i) => i + 1);
    expect(percentile(values, 99)).toBe(40);
    expect(percentile(values, 95)).toBe(38);
  });

  it('is NaN for no values and refuses a percentile outside 0..100', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('summarize and ratio', () => {
  it('summarizes latencies as p50, p95, p99 and max', () => {
    const summary = summarize(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(summary).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100 });
  });

  it('has no ratio against a missing or zero floor', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(3, 0)).toBeNaN();
    expect(ratio(Number.NaN, 2)).toBeNaN();
  });
});
