import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { testBackends } from '@terramae/testing';
import { TerramaeError } from '../backend/errors';
import { numericSuite } from '../testing-utils/index';
import { ModuleError } from './errors';
import { Module, ModuleList, StateDictError } from './module';
import type { TorchLayout } from './torch-layout';

class Norm extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  constructor(dim: number) {
    super();
    this.weight = this.param('weight', tf.ones([dim]));
    this.bias = this.param('bias', tf.zeros([dim]));
  }
}

class Block extends Module {
  readonly norm: Norm;
  constructor(dim: number) {
    super();
    this.param('dwconv.weight', tf.fill([7, 7, dim, 1], 0.5), { torchLayout: 'depthwise' });
    this.norm = this.module('norm', new Norm(dim));
    this.param('pwconv1.weight', tf.fill([dim, 2 * dim], 0.25), { torchLayout: 'linear' });
  }
}

class Net extends Module {
  readonly blocks: ModuleList<Block>;
  constructor(dim = 4) {
    super();
    this.param('stem.weight', tf.fill([2, 2, 3, dim], 0.1), { torchLayout: 'conv' });
    this.param('pos_embed', tf.zeros([1, 5, dim]), { trainable: false, noWeightDecay: true });
    this.blocks = this.module('blocks', new ModuleList([new Block(dim), new Block(dim)]));
  }
}

const NAMES = [
  'stem.weight',
  'pos_embed',
  'blocks.0.dwconv.weight',
  'blocks.0.pwconv1.weight',
  'blocks.0.norm.weight',
  'blocks.0.norm.bias',
  'blocks.1.dwconv.weight',
  'blocks.1.pwconv1.weight',
  'blocks.1.norm.weight',
  'blocks.1.norm.bias',
];

/** A module with one parameter per TorchLayout. */
class AllLayouts extends Module {
  constructor(init: (shape: number[]) => tf.Tensor) {
    super();
    this.param('same', init([1, 1, 1, 3]));
    this.param('linear', init([4, 3]), { torchLayout: 'linear' });
    this.param('conv', init([3, 2, 4, 5]), { torchLayout: 'conv' });
    this.param('depthwise', init([3, 3, 6, 1]), { torchLayout: 'depthwise' });
    this.param('patch', init([2 * 2 * 3, 5]), { torchLayout: 'patch-linear', torchChannels: 3 });
  }
}

const TORCH_SHAPES: Record<string, number[]> = {
  same: [1, 1, 1, 3],
  linear: [3, 4],
  conv: [5, 4, 3, 2],
  depthwise: [6, 1, 3, 3],
  patch: [5, 3, 2, 2],
};

const counting = () => {
  let k = 0;
  return (shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, d) => a * d, 1) }, () => ++k), shape);
};

for (const backend of testBackends()) {
  describe(`Module on ${backend}`, () => {
    numericSuite(backend);

    it('names parameters with dotted PyTorch keys (own parameters first, then children, as PyTorch), and counts them', () => {
      const net = new Net();
      expect(net.namedParameters().map((p) => p.name)).toEqual(NAMES);
      expect(Object.keys(net.stateDict())).toEqual(NAMES);
      expect(net.stateDict()['blocks.1.norm.weight']).toBe(net.blocks.items[1]!.norm.weight);
      expect([...net.trainableVariables().keys()]).toEqual(NAMES.filter((n) => n !== 'pos_embed'));
      const perBlock = 7 * 7 * 4 + 4 + 4 + 4 * 8;
      expect(net.parameterCount()).toBe(2 * 2 * 3 * 4 + 5 * 4 + 2 * perBlock);
      expect(net.parameterCount(true)).toBe(2 * 2 * 3 * 4 + 2 * perBlock);
      const meta = net.namedParameters().find((p) => p.name === 'pos_embed')!;
      expect([meta.trainable, meta.noWeightDecay, meta.torchLayout]).toEqual([false, true, 'same']);
      expect(net.namedChildren().map(([n]) => n)).toEqual(['blocks']);
      expect(net.blocks.length).toBe(2);
      net.dispose();
    });

    it('loadStateDict assigns every parameter and leaves the given tensors alive', () => {
      const net = new Net();
      const dict = Object.fromEntries(net.namedParameters().map((p, i) => [p.name, tf.fill(p.variable.shape, i + 1)]));
      net.loadStateDict(dict);
      net.namedParameters().forEach((p, i) => expect(Array.from(p.variable.dataSync()).every((v) => v === i + 1)).toBe(true));
      expect(Object.values(dict).every((t) => !t.isDisposed)).toBe(true);
      tf.dispose(Object.values(dict));
      // The module still owns its values after the dict is gone.
      expect(net.stateDict()['pos_embed']!.dataSync()[0]).toBe(2);
      net.dispose();
    });

    it('casts integer tensors to the parameter dtype without leaking the cast', () => {
      const net = new Norm(3);
      const dict = { weight: tf.tensor1d([1, 2, 3], 'int32'), bias: tf.tensor1d([4, 5, 6], 'int32') };
      const before = tf.memory().numTensors;
      net.loadStateDict(dict);
      expect(tf.memory().numTensors).toBe(before);
      expect(net.weight.dtype).toBe('float32');
      expect(Array.from(net.bias.dataSync())).toEqual([4, 5, 6]);
      tf.dispose(Object.values(dict));
      net.dispose();
    });

    it('lists missing, unexpected and mis-shaped keys in one StateDictError and assigns nothing', () => {
      const net = new Net();
      const dict: Record<string, tf.Tensor> = Object.fromEntries(net.namedParameters().map((p) => [p.name, tf.fill(p.variable.shape, 9)]));
      dict['blocks.1.norm.bias']!.dispose();
      delete dict['blocks.1.norm.bias'];
      dict['head.weight'] = tf.zeros([2, 2]);
      dict['stem.weight']!.dispose();
      dict['stem.weight'] = tf.zeros([2, 2, 3, 5]);
      let error: unknown;
      try {
        net.loadStateDict(dict);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(StateDictError);
      expect(error).toBeInstanceOf(TerramaeError);
      const e = error as StateDictError;
      expect(e.missing).toEqual(['blocks.1.norm.bias']);
      expect(e.unexpected).toEqual(['head.weight']);
      expect(e.misshaped).toEqual([{ key: 'stem.weight', expected: [2, 2, 3, 4], got: [2, 2, 3, 5] }]);
      expect(e.message).toMatch(/Net: the state dict does not fit this model/);
      expect(e.message).toMatch(/missing \(1\): blocks\.1\.norm\.bias/);
      expect(e.message).toMatch(/unexpected \(1\): head\.weight/);
      expect(e.message).toMatch(/shape of stem\.weight: expected \[2, 2, 3, 4\], got \[2, 2, 3, 5\]/);
      expect(e.message).toMatch(/strict: false/);
      // Atomic: nothing was assigned.
      expect(net.stateDict()['pos_embed']!.dataSync()[0]).toBe(0);
      // Non-strict tolerates missing and unexpected keys, never a wrong shape.
      expect(() => net.loadStateDict(dict, { strict: false })).toThrow(/shape of stem\.weight/);
      dict['stem.weight']!.dispose();
      delete dict['stem.weight'];
      net.loadStateDict(dict, { strict: false });
      expect(net.stateDict()['pos_embed']!.dataSync()[0]).toBe(9);
      expect(net.stateDict()['stem.weight']!.dataSync()[0]).toBeCloseTo(0.1);
      tf.dispose(Object.values(dict));
      net.dispose();
    });

    it('does not mistake Object.prototype names for keys', () => {
      class Odd extends Module {
        constructor() {
          super();
          this.param('constructor', tf.zeros([1]));
        }
      }
      const m = new Odd();
      expect(() => m.loadStateDict({})).toThrow(/missing \(1\): constructor/);
      m.dispose();
    });

    it('round-trips torchStateDict → loadTorchStateDict for every TorchLayout, with PyTorch shapes', () => {
      const src = new AllLayouts(counting());
      const torch = src.torchStateDict();
      for (const [name, shape] of Object.entries(TORCH_SHAPES)) expect(torch[name]!.shape, name).toEqual(shape);
      const dst = new AllLayouts((shape) => tf.zeros(shape));
      dst.loadTorchStateDict(torch);
      for (const p of src.namedParameters()) {
        expect(Array.from(dst.stateDict()[p.name]!.dataSync()), p.name).toEqual(Array.from(p.variable.dataSync()));
      }
      // A dict in TF layout does not load as PyTorch layout: the shapes are checked against PyTorch's.
      expect(() => dst.loadTorchStateDict(src.stateDict())).toThrow(/shape of linear: expected \[3, 4\], got \[4, 3\]/);
      tf.dispose(Object.values(torch));
      src.dispose();
      dst.dispose();
    });

    it('maps PyTorch elements to the right TF.js elements', () => {
      const src = new AllLayouts(counting());
      const torch = src.torchStateDict();
      const tfv = src.stateDict();
      const at = (t: tf.Tensor, idx: number[]) => (t.arraySync() as unknown as number[][][][])[idx[0]!]![idx[1]!]![idx[2]!]![idx[3]!]!;
      const at2 = (t: tf.Tensor, i: number, j: number) => (t.arraySync() as number[][])[i]![j]!;
      // linear: torch [out, in] = tf [in, out]
      expect(at2(torch['linear']!, 2, 1)).toBe(at2(tfv['linear']!, 1, 2));
      // conv: torch [o, i, kh, kw] = tf [kh, kw, i, o]
      expect(at(torch['conv']!, [4, 3, 1, 0])).toBe(at(tfv['conv']!, [1, 0, 3, 4]));
      // depthwise: torch [c, 0, kh, kw] = tf [kh, kw, c, 0]
      expect(at(torch['depthwise']!, [5, 0, 2, 1])).toBe(at(tfv['depthwise']!, [2, 1, 5, 0]));
      // patch-linear: torch [d, c, pi, qi] = tf [(pi·p + qi)·C + c, d]
      expect(at(torch['patch']!, [4, 2, 1, 0])).toBe(at2(tfv['patch']!, (1 * 2 + 0) * 3 + 2, 4));
      tf.dispose(Object.values(torch));
      src.dispose();
    });

    it('train()/eval() propagate to every descendant', () => {
      const net = new Net();
      expect(net.training).toBe(true);
      net.eval();
      expect([net.training, net.blocks.training, net.blocks.items[0]!.norm.training]).toEqual([false, false, false]);
      expect(net.train()).toBe(net);
      expect(net.blocks.items[1]!.norm.training).toBe(true);
      net.dispose();
    });

    it('dispose() frees every variable of the tree and is safe to call twice', () => {
      const before = tf.memory().numTensors;
      const net = new Net();
      expect(tf.memory().numTensors - before).toBe(NAMES.length);
      net.dispose();
      expect(tf.memory().numTensors).toBe(before);
      expect(net.namedParameters().every((p) => p.variable.isDisposed)).toBe(true);
      net.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });

    it('rejects duplicate or empty names and patch-linear parameters without a channel count, disposing the init', () => {
      const layouts: TorchLayout[] = ['patch-linear'];
      class Bad extends Module {
        constructor(kind: string) {
          super();
          if (kind === 'duplicate') {
            this.param('w', tf.zeros([1]));
            this.module('w', new Module());
          }
          if (kind === 'empty') this.param('', tf.zeros([1]));
          if (kind === 'patch') this.param('p', tf.zeros([12, 4]), { torchLayout: layouts[0] });
          if (kind === 'patch-wrong-c') this.param('p', tf.zeros([12, 4]), { torchLayout: 'patch-linear', torchChannels: 5 });
        }
      }
      const before = tf.memory().numTensors;
      expect(() => new Bad('duplicate')).toThrow(ModuleError);
      expect(() => new Bad('duplicate')).toThrow(/Bad: duplicate name 'w'/);
      expect(() => new Bad('empty')).toThrow(/non-empty/);
      expect(() => new Bad('patch')).toThrow(/pass torchChannels/);
      expect(() => new Bad('patch-wrong-c')).toThrow(/not a \[p·p·C, D\] matrix for C = 5/);
      // Only the variables registered before the failure remain (the failed constructions' 'w').
      tf.disposeVariables();
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}
