import * as tf from '@tensorflow/tfjs';
import { SafetensorsFile } from '@terramae/tensors';
import { sharedPath, testBackends, useBackend } from '@terramae/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AdamW } from './adamw';
import { OptimizerError } from './errors';

/** torch.optim.AdamW in float64, as the test oracle (one parameter, flat values). */
function torchAdamW(p: number[], grads: number[][], lrs: number[], wd: number, b1: number, b2: number, eps: number): number[] {
  const x = p.slice();
  const m = x.map(() => 0);
  const v = x.map(() => 0);
  grads.forEach((g, k) => {
    const t = k + 1;
    const lr = lrs[k]!;
    for (let i = 0; i < x.length; i++) {
      x[i]! *= 1 - lr * wd;
      m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
      v[i] = b2 * v[i]! + (1 - b2) * g[i]! * g[i]!;
      const denom = Math.sqrt(v[i]!) / Math.sqrt(1 - b2 ** t) + eps;
      x[i]! -= (lr / (1 - b1 ** t)) * (m[i]! / denom);
    }
  });
  return x;
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, rel: number): void {
  expect(a.length).toBe(b.length);
  let maxRef = 0;
  let maxDiff = 0;
  for (let i = 0; i < a.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(b[i]!));
    maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
  }
  expect(maxDiff / maxRef).toBeLessThanOrEqual(rel);
}

const P0 = [0.5, -1.25, 2, 0.75, -0.3, 1.1];
const P1 = [0.2, -0.4, 0.9];
const G = (k: number, n: number, s: number) => Array.from({ length: n }, (_, i) => Math.sin(1.7 * (i + 1) * (k + 1) + s) * (i % 2 ? 0.01 : 3));

describe.each(testBackends())('AdamW on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });
  const made: tf.Variable[] = [];
  const variable = (values: number[], shape: number[]) => {
    const v = tf.variable(tf.tensor(values, shape));
    made.push(v);
    return v;
  };
  afterEach(() => {
    for (const v of made.splice(0)) v.dispose();
  });

  it('matches torch.optim.AdamW with two groups, a changing lr and an lr scale', () => {
    const w = variable(P0, [2, 3]);
    const b = variable(P1, [3]);
    const opt = new AdamW(
      [
        { name: 'decay', params: { w }, weightDecay: 0.05 },
        { name: 'no_decay', params: { b }, weightDecay: 0, lrScale: 0.5 },
      ],
      { betas: [0.9, 0.95] },
    );
    const lrs = [1e-3, 3e-3, 2e-3, 5e-4];
    for (let k = 0; k < lrs.length; k++) {
      opt.setLearningRate(lrs[k]!);
      tf.tidy(() => opt.applyGradients({ w: tf.tensor(G(k, 6, 0), [2, 3]), b: tf.tensor(G(k, 3, 1), [3]) }));
    }
    close(w.dataSync(), torchAdamW(P0, lrs.map((_, k) => G(k, 6, 0)), lrs, 0.05, 0.9, 0.95, 1e-8), 1e-6);
    close(b.dataSync(), torchAdamW(P1, lrs.map((_, k) => G(k, 3, 1)), lrs.map((l) => l * 0.5), 0, 0.9, 0.95, 1e-8), 1e-6);
    expect(opt.stepCount('w')).toBe(4);
    expect(opt.groupSummary()).toEqual([
      { name: 'decay', lr: 5e-4, weightDecay: 0.05, size: 1 },
      { name: 'no_decay', lr: 2.5e-4, weightDecay: 0, size: 1 },
    ]);
    opt.dispose();
  });

  it('applies the decoupled weight decay alone when the gradient is zero', () => {
    const w = variable(P0, [6]);
    const opt = new AdamW({ w }, { lr: 0.1, weightDecay: 0.5 });
    tf.tidy(() => opt.applyGradients(new Map([['w', tf.zeros([6])]])));
    close(w.dataSync(), P0.map((x) => x * (1 - 0.1 * 0.5)), 1e-7);
    opt.dispose();
  });

  it('skips parameters without a gradient, like torch with grad None', () => {
    const w = variable(P0, [6]);
    const b = variable(P1, [3]);
    const opt = new AdamW({ w, b }, { lr: 0.01 });
    tf.tidy(() => opt.applyGradients({ w: tf.ones([6]) }));
    expect(Array.from(b.dataSync())).toEqual(Array.from(Float32Array.from(P1)));
    expect(opt.stepCount('b')).toBe(0);
    expect(opt.stepCount('w')).toBe(1);
    const state = opt.getState();
    expect(Object.keys(state)).toEqual(['step/w', 'exp_avg/w', 'exp_avg_sq/w']);
    tf.dispose(Object.values(state));
    opt.dispose();
  });

  it('rejects unknown names, wrong shapes, duplicates and non-float variables with named errors', () => {
    const w = variable(P0, [6]);
    const opt = new AdamW({ w });
    expect(() => tf.tidy(() => opt.applyGradients({ nope: tf.ones([6]) }))).toThrow(/"nope" is not a parameter/);
    expect(() => tf.tidy(() => opt.applyGradients({ w: tf.ones([2, 3]) }))).toThrow(/gradient of "w" has shape \[2, 3\]/);
    expect(() => new AdamW([{ params: { w } }, { params: { w } }])).toThrow(OptimizerError);
    const i = tf.variable(tf.tensor([1, 2], [2], 'int32'));
    expect(() => new AdamW({ i })).toThrow(/dtype int32/);
    i.dispose();
    expect(() => opt.setLearningRate(Number.NaN)).toThrow(OptimizerError);
    opt.dispose();
  });

  it('resumes bit-for-bit from getState/setState', () => {
    const a = variable(P0, [2, 3]);
    const b = variable(P0, [2, 3]);
    const optA = new AdamW({ w: a }, { lr: 1e-2, betas: [0.9, 0.95], weightDecay: 0.05 });
    const optB = new AdamW({ w: b }, { lr: 1e-2, betas: [0.9, 0.95], weightDecay: 0.05 });
    for (let k = 0; k < 2; k++) {
      tf.tidy(() => optA.applyGradients({ w: tf.tensor(G(k, 6, 0), [2, 3]) }));
      tf.tidy(() => optB.applyGradients({ w: tf.tensor(G(k, 6, 0), [2, 3]) }));
    }
    const state = optB.getState();
    optB.dispose();
    const optC = new AdamW({ w: b }, { lr: 1e-2, betas: [0.9, 0.95], weightDecay: 0.05 });
    optC.setState(state);
    tf.dispose(Object.values(state));
    expect(optC.stepCount('w')).toBe(2);
    tf.tidy(() => optA.applyGradients({ w: tf.tensor(G(2, 6, 0), [2, 3]) }));
    tf.tidy(() => optC.applyGradients({ w: tf.tensor(G(2, 6, 0), [2, 3]) }));
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    optA.dispose();
    optC.dispose();
  });

  it('validates a state before touching anything', () => {
    const w = variable(P0, [6]);
    const opt = new AdamW({ w });
    const bad = { 'step/w': tf.scalar(1, 'int32'), 'exp_avg/w': tf.zeros([5]), 'exp_avg_sq/w': tf.zeros([6]) };
    expect(() => opt.setState(bad)).toThrow(/exp_avg\/w" has shape \[5\]/);
    expect(() => opt.setState({ 'step/w': tf.scalar(1, 'int32') })).toThrow(/needs step\/, exp_avg\/ and exp_avg_sq\//);
    expect(() => opt.setState({ 'velocity/w': bad['exp_avg_sq/w'] })).toThrow(/unexpected key/);
    tf.dispose(Object.values(bad));
    opt.dispose();
  });

  it('leaks no tensor, and its moments survive a tidy around the step', () => {
    const w = variable(P0, [6]);
    const before = tf.memory().numTensors;
    const opt = new AdamW({ w }, { lr: 1e-2 });
    tf.tidy(() => opt.applyGradients({ w: tf.ones([6]) }));
    const afterFirst = tf.memory().numTensors;
    expect(afterFirst).toBe(before + 2); // m and v
    for (let k = 0; k < 3; k++) tf.tidy(() => opt.applyGradients({ w: tf.tensor(G(k, 6, 0)) }));
    expect(tf.memory().numTensors).toBe(afterFirst);
    const g = tf.ones([6]);
    opt.applyGradients({ w: g }); // outside any tidy: the caller's gradient stays alive
    expect(g.isDisposed).toBe(false);
    g.dispose();
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => opt.applyGradients({})).toThrow(/disposed/);
  });
});

const fixture = sharedPath('fixtures', 'parity', 'optimizer_adamw.safetensors');

describe.skipIf(!fixture)('AdamW against torch.optim.AdamW (shared fixture optimizer_adamw)', () => {
  beforeAll(async () => {
    await useBackend(testBackends()[0]!);
  });

  it('reproduces the constant-lr steps and moments within 1e-6', () => {
    const file = SafetensorsFile.open(fixture!);
    const ctor = JSON.parse(file.metadata['constructor']!) as { lr: number; betas: [number, number]; eps: number; weight_decay: number };
    const names = file.keys().filter((k) => k.startsWith('input/init/')).map((k) => k.slice('input/init/'.length));
    const before = tf.memory().numTensors;
    const vars = new Map(names.map((n) => [n, tf.tidy(() => tf.variable(file.readTensor(`input/init/${n}`)))]));
    const opt = new AdamW(vars, { lr: ctor.lr, betas: ctor.betas, eps: ctor.eps, weightDecay: ctor.weight_decay });
    const steps = new Set(file.keys().filter((k) => k.startsWith('input/grad/')).map((k) => k.split('/')[2]));
    let k = 0;
    for (const step of steps) {
      tf.tidy(() => opt.applyGradients(new Map(names.map((n) => [n, file.readTensor(`input/grad/${step}/${n}`)]))));
      for (const [n, v] of vars) close(v.dataSync(), file.readFloat32Array(`output/const/step${k}/${n}`), 1e-6);
      k++;
    }
    const state = opt.getState();
    for (const n of names) {
      close(state[`exp_avg/${n}`]!.dataSync(), file.readFloat32Array(`output/const/exp_avg/${n}`), 1e-6);
      close(state[`exp_avg_sq/${n}`]!.dataSync(), file.readFloat32Array(`output/const/exp_avg_sq/${n}`), 1e-6);
    }
    expect(k).toBeGreaterThan(1);
    tf.dispose(Object.values(state));
    opt.dispose();
    for (const v of vars.values()) v.dispose();
    expect(tf.memory().numTensors).toBe(before);
    file.close();
  });
});
