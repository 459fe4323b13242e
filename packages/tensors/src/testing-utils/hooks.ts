import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { useBackend } from '@terramae/testing';

/**
 * Register the hooks every numeric suite of this package uses: switch to `backend` before the
 * suite, and assert after each test that it left exactly as many tensors as it found.
 */
export function numericSuite(backend: string): void {
  let start = 0;
  beforeAll(() => useBackend(backend));
  beforeEach(() => {
    start = tf.memory().numTensors;
  });
  afterEach(() => {
    expect(tf.memory().numTensors, 'tensors left alive by the test').toBe(start);
  });
}
