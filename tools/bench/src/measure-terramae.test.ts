import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { measureTerramae } from './measure-terramae';

// The quick mode's terramae side on one workload: proves the harness runs and returns every field.
// Timings are never asserted.
describe('measureTerramae (quick mode)', () => {
  it('times a tiny MAE ViT-tiny step and reports the expected fields', async () => {
    const r = await measureTerramae({ family: 'mae-tiny', input: 16, batch: 2, backend: 'wasm', accel: false, warmup: 1, runs: 2, profile: true });
    expect(r.id).toBe('mae-vit-tiny-16');
    expect(r.wallMs.samples).toHaveLength(2);
    expect(r.cpuMs.samples).toHaveLength(2);
    expect(r.wallMs.median).toBeGreaterThan(0);
    expect(r.imagesPerSecond).toBeGreaterThan(0);
    expect(r.peakRssMB).toBeGreaterThan(0);
    // Weights + AdamW moments alone (3 × parameters × 4 bytes) are a floor for the step's peak.
    expect(r.peakTensorMB).toBeGreaterThan((3 * r.parameters * 4) / 1e6);
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(r.leakedTensors).toBe(0);
    expect(r.parameters).toBeGreaterThan(1e6);
    expect(r.ops?.some((o) => o.op === 'BatchMatMul' || o.op === '_FusedMatMul')).toBe(true);
    expect(tf.memory().numTensors).toBeGreaterThanOrEqual(0);
  });
});
