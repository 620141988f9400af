import { describe, expect, it } from 'vitest';
import { median, percentile, round } from '../../bench/statistics.js';

describe('Function: percentile', () => {
  const samples = Array.from({ length: 20 }, (_, index) => 20 - index);

  it('takes the nearest rank of unsorted samples', () => {
    // Act
    const p50 = percentile(samples, 50);
    const p95 = percentile(samples, 95);
    const p100 = percentile(samples, 100);

    // Assess
    expect(p50).toBe(10);
    expect(p95).toBe(19);
    expect(p100).toBe(20);
  });

  it('gives the only sample for any percentile of one', () => {
    // Act
    const values = [0, 50, 95].map((p) => percentile([7], p));

    // Assess
    expect(values).toEqual([7, 7, 7]);
  });

  it('gives NaN for no samples and leaves its input unsorted', () => {
    // Prepare
    const input = [3, 1, 2];

    // Act
    const empty = percentile([], 50);
    const middle = median(input);

    // Assess
    expect(empty).toBeNaN();
    expect(middle).toBe(2);
    expect(input).toEqual([3, 1, 2]);
  });
});

describe('Function: round', () => {
  it('rounds to the given decimals', () => {
    // Act
    const values = [round(1.23456), round(1.23456, 3), round(2.5, 0)];

    // Assess
    expect(values).toEqual([1.23, 1.235, 3]);
  });
});
