import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, initBackend } from '../index';

describe('initBackend', () => {
  it('starts wasm and cpu by name and announces the choice', async () => {
    const lines: string[] = [];
    const wasm = await initBackend({ backend: 'wasm', log: (l) => lines.push(l) });
    expect(wasm.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const cpu = await initBackend({ backend: 'cpu', log: (l) => lines.push(l) });
    expect(cpu.name).toBe('cpu');
    expect(lines[0]).toMatch(/^terramae backend: wasm/);
  });
  it('auto falls back to wasm when tfjs-node is absent', async () => {
    const info = await initBackend({ log: null });
    expect(['tensorflow', 'wasm']).toContain(info.name);
  });
  it('names the install steps when tfjs-node-gpu is missing', async () => {
    await expect(initBackend({ backend: 'tensorflow', gpu: true, log: null })).rejects.toThrow(BackendUnavailableError);
    await expect(initBackend({ backend: 'tensorflow', gpu: true, log: null })).rejects.toThrow(/CUDA 11\.2.*cuDNN 8\.1.*TFJS_NODE_BASE_URI/s);
  });
  it('refuses a GPU request on a CPU backend', async () => {
    await expect(initBackend({ backend: 'wasm', gpu: true, log: null })).rejects.toThrow(/GPU was requested/);
  });
  it('rejects unknown backend names', async () => {
    // @ts-expect-error deliberately wrong
    await expect(initBackend({ backend: 'tpu', log: null })).rejects.toThrow(/Unknown backend 'tpu'/);
  });
});
