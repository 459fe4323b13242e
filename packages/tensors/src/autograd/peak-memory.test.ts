import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { testBackends } from '@terramae/testing';
import { numericSuite } from '../testing-utils/index';
import { measurePeakMemory } from './peak-memory';

for (const backend of testBackends()) {
  describe(`measurePeakMemory on ${backend}`, () => {
    numericSuite(backend);

    it('counts each buffer once (clones share it), reports the peak and what is left', () => {
      const kept = tf.zeros([256]); // alive before: not part of the measurement
      const { result, peakBytes, endBytes } = measurePeakMemory(() => {
        const a = tf.ones([1000]); // 4000 bytes
        const clones = [a.clone(), a.clone(), a.reshape([10, 100])]; // same buffer, no new bytes
        const b = tf.fill([500], 2); // 2000 bytes: peak 6000
        tf.dispose([a, ...clones, b]);
        kept.dispose(); // freeing an older buffer counts below the start
        return tf.ones([250]); // 1000 bytes left
      });
      expect(peakBytes).toBe(6000);
      expect(endBytes).toBe(1000 - 1024);
      result.dispose();
    });

    it('puts the engine back as it found it, also when the function throws', () => {
      const engine = tf.engine() as unknown as Record<string, unknown>;
      expect(() =>
        measurePeakMemory(() => {
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(Object.prototype.hasOwnProperty.call(engine, 'trackTensor')).toBe(false);
      expect(Object.prototype.hasOwnProperty.call(engine, 'removeDataId')).toBe(false);
    });
  });
}
