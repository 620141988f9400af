import { describe, expect, it } from 'vitest';
import {
  chunk,
  mapWithConcurrency,
} from '../../packages/aws/src/concurrency.js';

describe('Function: mapWithConcurrency', () => {
  it('keeps input order with no more than the limit in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const items = [30, 5, 20, 1, 10, 15];

    const results = await mapWithConcurrency(items, 2, async (delay) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, delay));
      inFlight--;

      return delay * 2;
    });

    expect(results).toEqual([60, 10, 40, 2, 20, 30]);
    expect(peak).toBe(2);
  });

  it('returns an empty list for no items', async () => {
    const results = await mapWithConcurrency([], 4, async () => 1);

    expect(results).toEqual([]);
  });
});

describe('Function: chunk', () => {
  it('splits into pieces of at most the given size', () => {
    const pieces = chunk([1, 2, 3, 4, 5], 2);

    expect(pieces).toEqual([[1, 2], [3, 4], [5]]);
  });
});
